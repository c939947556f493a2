import Foundation
import GPZConfig
import GPZData
import GPZNN
import GPZOptim
import GPZTensor

/// The attacker's image prior: a convolutional variational auto-encoder (Kingma and Welling 2014) trained on the
/// attacker's own aux images, never on private or target-training images. Its generator G: w → x is what the
/// `prior` and `prior-whitebox` attackers reconstruct through, so their reconstructions lie near the manifold of
/// the attacker's images instead of regressing to a blurred class mean.
///
/// Encoder: Conv(C, 32, 4, 2, 1) → LeakyReLU(0.2) → [Conv(4, 2, 1) → BN → LeakyReLU(0.2)] × 2 (64, 128 channels)
/// → AdaptiveAvgPool(4) → Linear(2048, 2·d): the posterior's mean μ(x) and log-variance log σ²(x).
/// Generator (`generatorLayers`): Linear(d, 256·4·4) → [256, 4, 4] → BN → ReLU, then ConvTranspose(4, 2) → BN →
/// ReLU stages halving the channels (at least 32) up to the image side by `UpsamplingPlan`, the last to the image
/// channels with a Sigmoid: a DCGAN generator at a quarter of the decoders' width.
///
/// Objective, per image and averaged over the batch (w = μ + σ·ε, ε ~ N(0, I)):
///
///     L(x) = Σ_pixels (G(w) − x)² + β · KL(N(μ, σ²) ‖ N(0, I)),   KL = ½ Σ_j (μ_j² + σ_j² − log σ_j² − 1)
///
/// with β = `klWeight`. Adam (lr 10⁻³), batches of 128, `settings.epochs` epochs; the initial weights, the batch
/// order and the noise ε all come from `seed`, so a prior is a function of its images, settings and seed.
public final class ImagePrior: Module {
    public let settings: ImagePriorSettings
    public let imageChannels: Int
    public let imageSize: Int
    public let seed: UInt64
    public let encoder: Sequential
    public let generator: Sequential
    public var isTraining = true

    /// β, the weight of the KL term: below 1 so that the generator keeps the detail a reconstruction needs.
    public static let klWeight = 0.1
    public static let learningRate = 1e-3
    public static let batchSize = 128
    /// Channels of the generator's first 4 × 4 map.
    public static let generatorWidth = 256

    /// An untrained prior whose initial weights come from `seed` (which also seeds its training).
    public init(settings: ImagePriorSettings, imageChannels: Int, imageSize: Int, seed: UInt64 = 0) throws {
        try settings.validate()
        try AttackError.check(imageChannels >= 1 && imageSize >= 4,
                              "ImagePrior: images of \(imageChannels) channels and side \(imageSize); need side ≥ 4")
        self.settings = settings
        self.imageChannels = imageChannels
        self.imageSize = imageSize
        self.seed = seed
        try Runtime.manualSeed(seed)
        encoder = Sequential([
            try Conv2d(imageChannels, 32, 4, stride: 2, padding: 1), LeakyReLU(0.2),
            try Conv2d(32, 64, 4, stride: 2, padding: 1), try BatchNorm2d(64), LeakyReLU(0.2),
            try Conv2d(64, 128, 4, stride: 2, padding: 1), try BatchNorm2d(128), LeakyReLU(0.2),
            AdaptiveAvgPool2d(IntPair(4)), Flatten(), try Linear(128 * 16, 2 * settings.latent),
        ])
        generator = Sequential(try Self.generatorLayers(latent: settings.latent, imageChannels: imageChannels,
                                                        imageSize: imageSize))
    }

    public var children: [(name: String, module: any Module)] { [("encoder", encoder), ("generator", generator)] }

    /// x → G(μ(x)): the prior's reconstruction of `input` [N, C, S, S] in [0, 1].
    public func forward(_ input: Tensor) throws -> Tensor { try generator(try posterior(input).mean) }

    /// The approximate posterior's mean and log-variance, each [N, d].
    public func posterior(_ images: Tensor) throws -> (mean: Tensor, logVariance: Tensor) {
        try AttackError.check(Array(images.shape.dropFirst()) == [imageChannels, imageSize, imageSize],
                              "ImagePrior: expects images [N, \(imageChannels), \(imageSize), \(imageSize)], got \(images.shape)")
        let out = try encoder(images)
        let d = settings.latent
        return (try out.slice(dim: 1, start: 0, end: d), try out.slice(dim: 1, start: d, end: 2 * d))
    }

    /// The generator's layers for a latent of `latent` dimensions (`ImagePrior`'s rule).
    public static func generatorLayers(latent: Int, imageChannels: Int, imageSize: Int) throws -> [any Module] {
        var channels = generatorWidth
        var layers: [any Module] = [try VectorToMap(features: latent, channels: channels, side: 4),
                                    try BatchNorm2d(channels), ReLU()]
        let plan = try UpsamplingPlan(from: 4, to: imageSize)
        for (position, step) in plan.steps.enumerated() {
            let last = position == plan.steps.count - 1
            let width = last ? imageChannels : Swift.max(channels / 2, 32)
            layers.append(try ConvTranspose2d(channels, width, IntPair(UpsamplingPlan.kernelSize),
                                              stride: IntPair(UpsamplingPlan.stride), padding: IntPair(step.padding),
                                              outputPadding: IntPair(step.outputPadding)))
            layers += last ? [Sigmoid()] : [try BatchNorm2d(width), ReLU()]
            channels = width
        }
        return layers
    }

    /// The objective on a batch, its reconstruction and KL parts (per image, batch means).
    public func loss(_ images: Tensor) throws -> (total: Tensor, reconstruction: Double, kl: Double) {
        let (mean, logVariance) = try posterior(images)
        let noise = try Tensor.randn(mean.shape)
        let latent = try mean + (logVariance * 0.5).exp() * noise
        let n = Double(images.size(0))
        let reconstruction = try (generator(latent) - images).square().sum() / n
        let kl = try ((mean.square() + logVariance.exp() - logVariance - 1).sum() * 0.5) / n
        return (try reconstruction + kl * Self.klWeight, try reconstruction.item(), try kl.item())
    }

    /// What training did, stored with the cached weights.
    public struct Report: Codable, Equatable, Sendable {
        public var hash: String
        /// The membership hash of the images it was trained on (the attacker's aux images, `RoleSet`).
        public var aux: String
        public var images: Int
        public var epochs: Int
        /// Last epoch's mean per-image squared error (summed over pixels) and KL.
        public var reconstruction: Double
        public var kl: Double
        public var seconds: Double
        /// Whether the weights came from the cache.
        public var cached: Bool
    }

    /// Trains on `images` for `settings.epochs` epochs, seeded by `seed`; `progress` gets (batches done, total,
    /// loss).
    public func train(on images: ImageSet,
                      progress: ((Int, Int, Double) -> Void)? = nil) throws -> (reconstruction: Double, kl: Double) {
        try AttackError.check(images.count > 0, "ImagePrior: no images to train on")
        try Runtime.manualSeed(seed &+ 1)
        let optimizer = try Adam(parameters: parameters(), lr: Self.learningRate)
        let stream = ImageStreams.shuffled(images, batchSize: Self.batchSize, seed: seed)
        let total = (stream.batchesPerPass ?? 0) * settings.epochs
        var done = 0, last = (reconstruction: Double.nan, kl: Double.nan)
        train()
        for _ in 0..<settings.epochs {
            var sums = (0.0, 0.0), batches = 0
            try stream.forEachIndexedBatch { batch, _ in
                let (objective, reconstruction, kl) = try loss(batch)
                guard reconstruction.isFinite && kl.isFinite else {
                    throw AttackError("ImagePrior: the loss became \(reconstruction) + \(kl) during training")
                }
                try optimizer.zeroGrad()
                try objective.backward()
                try optimizer.step()
                sums.0 += reconstruction
                sums.1 += kl
                batches += 1
                done += 1
                progress?(done, total, reconstruction)
            }
            last = (sums.0 / Double(batches), sums.1 / Double(batches))
        }
        eval()
        return last
    }

    /// The prior for `images`, identified by their membership hash `membership` (`RoleSet.membershipHash`), loaded
    /// from `cache` when one trained with the same settings, image shape and seed on the same images is there, else
    /// trained and stored there.
    public static func trained(on images: ImageSet, membership: String, imageChannels: Int, imageSize: Int,
                               settings: ImagePriorSettings, seed: UInt64, cache: URL?,
                               progress: ((Int, Int, Double) -> Void)? = nil) throws -> (ImagePrior, Report) {
        let key = try CanonicalJSON.hash(Key(aux: membership, channels: imageChannels, size: imageSize,
                                             latent: settings.latent, epochs: settings.epochs, seed: seed))
        let prior = try ImagePrior(settings: settings, imageChannels: imageChannels, imageSize: imageSize, seed: seed)
        let file = cache?.appendingPathComponent("prior-\(key.prefix(16)).safetensors")
        if let file, FileManager.default.fileExists(atPath: file.path) {
            let metadata: [String: String]
            do { metadata = try prior.loadWeights(from: file) } catch {
                throw AttackError("\(file.path): not a readable image prior (\(error)); delete it to train it again")
            }
            prior.eval()
            guard let json = metadata["report"], var report = try? JSONDecoder().decode(Report.self, from: Data(json.utf8)) else {
                throw AttackError("\(file.path): its metadata has no training report; delete it to train it again")
            }
            report.cached = true
            return (prior, report)
        }
        let clock = ContinuousClock(), start = clock.now
        let (reconstruction, kl) = try prior.train(on: images, progress: progress)
        let elapsed = clock.now - start
        let report = Report(hash: key, aux: membership, images: images.count, epochs: settings.epochs, reconstruction: reconstruction,
                            kl: kl, seconds: Double(elapsed.components.seconds)
                                + Double(elapsed.components.attoseconds) * 1e-18, cached: false)
        if let file, let cache {
            try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
            try prior.saveWeights(to: file, metadata: ["report": try CanonicalJSON.line(report)])
        }
        return (prior, report)
    }

    /// What a cached prior is keyed by: the training images, their shape, the settings that change the weights
    /// (not `finetune`, which only the attack uses) and the seed.
    private struct Key: Encodable {
        let version = 1
        let aux: String
        let channels: Int
        let size: Int
        let latent: Int
        let epochs: Int
        let seed: UInt64
    }
}
