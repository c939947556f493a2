import Foundation
import GPZData
import GPZTestSupport
import XCTest
import GPZAttacks
import GPZModels
import GPZNN
import GPZTensor

final class ImagePriorTests: SeededTestCase {
    private let settings = ImagePriorSettings(latent: 8, epochs: 2, finetune: 0.1)

    /// `count` synthetic 16 px grey images as 8-bit pixels, labels cycling over 4 classes.
    private func imageSet(count: Int) throws -> ImageSet {
        let images = try syntheticImages(count: count, channels: 1, size: 16)
        let pixels = try (images * 255).rounded().toDoubles().map { UInt8($0) }
        return ImageSet(channels: 1, height: 16, width: 16, pixels: pixels, labels: (0..<count).map { $0 % 4 })
    }

    /// Whether two modules hold exactly the same state.
    private func identical(_ a: any Module, _ b: any Module) throws -> Bool {
        let (x, y) = (a.stateDict(), b.stateDict())
        return try x.count == y.count && zip(x, y).allSatisfy { try $0.name == $1.name && $0.tensor.toDoubles() == $1.tensor.toDoubles() }
    }

    /// Two priors trained with the same seed on the same images end with identical weights; another seed differs.
    func testPriorTrainsDeterministicallyPerSeed() throws {
        let images = try imageSet(count: 96)
        func trained(seed: UInt64) throws -> (ImagePrior, Double) {
            let prior = try ImagePrior(settings: settings, imageChannels: 1, imageSize: 16, seed: seed)
            let (reconstruction, kl) = try prior.train(on: images)
            XCTAssertTrue(reconstruction.isFinite && kl.isFinite && kl >= 0)
            return (prior, reconstruction)
        }
        let (first, loss) = try trained(seed: 3)
        let (second, again) = try trained(seed: 3)
        let (other, _) = try trained(seed: 4)
        XCTAssertEqual(loss, again)
        XCTAssertTrue(try identical(first, second))
        XCTAssertFalse(try identical(first, other))
    }

    /// A prior's reconstruction error falls with training (it learns the images), and a trained prior is stored
    /// once and reused: the second call loads the same weights and says so.
    func testPriorLearnsAndIsCachedPerImageSet() throws {
        let images = try imageSet(count: 128)
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("gpz-prior-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        var settings = self.settings
        settings.epochs = 20
        var losses: [Double] = []
        let (prior, report) = try ImagePrior.trained(on: images, membership: "aux-a", imageChannels: 1, imageSize: 16,
                                                     settings: settings, seed: 0, cache: cache) { _, _, loss in
            losses.append(loss)
        }
        XCTAssertFalse(report.cached)
        XCTAssertEqual(report.aux, "aux-a")
        XCTAssertEqual(report.images, 128)
        XCTAssertLessThan(losses.suffix(3).reduce(0, +), 0.6 * losses.prefix(3).reduce(0, +), "\(losses)")
        let (loaded, again) = try ImagePrior.trained(on: images, membership: "aux-a", imageChannels: 1, imageSize: 16,
                                                     settings: settings, seed: 0, cache: cache) { _, _, _ in
            XCTFail("a cached prior is not trained again")
        }
        XCTAssertTrue(again.cached)
        XCTAssertEqual(again.hash, report.hash)
        XCTAssertTrue(try identical(loaded, prior))
        let (_, other) = try ImagePrior.trained(on: images, membership: "aux-b", imageChannels: 1, imageSize: 16,
                                                settings: settings, seed: 0, cache: cache)
        XCTAssertFalse(other.cached, "other images are another prior")
        XCTAssertNotEqual(other.hash, report.hash)
    }

    /// A corrupt cached prior is a one-line error naming the file, not a crash.
    func testACorruptCachedPriorIsAnErrorNamingTheFile() throws {
        let images = try imageSet(count: 16)
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("gpz-prior-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        var settings = self.settings
        settings.epochs = 1
        let (_, report) = try ImagePrior.trained(on: images, membership: "x", imageChannels: 1, imageSize: 16,
                                                 settings: settings, seed: 0, cache: cache)
        let file = cache.appendingPathComponent("prior-\(report.hash.prefix(16)).safetensors")
        try Data("not a safetensors file".utf8).write(to: file)
        XCTAssertThrowsError(try ImagePrior.trained(on: images, membership: "x", imageChannels: 1, imageSize: 16,
                                                    settings: settings, seed: 0, cache: cache)) { error in
            XCTAssertTrue("\(error)".contains(file.path), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    /// The black-box mapping recovers a planted latent: images are G(w*) for a fixed random generator G (its
    /// batch-norm statistics calibrated on N(0, I) latents, so that its images vary with w) and latents
    /// w* ~ N(0, I); the edge sends the images' 4 × 4 thumbnails, and the prior attacker (generator frozen) learns a
    /// mapping whose estimates on new images correlate with the planted w* and reconstruct them far better than G(0).
    func testMappingRecoversAPlantedLatent() throws {
        let prior = try ImagePrior(settings: ImagePriorSettings(latent: 4, epochs: 1, finetune: 0),
                                   imageChannels: 1, imageSize: 16)
        prior.train()
        try withNoGrad { for _ in 0..<60 { _ = try prior.generator(try Tensor.randn([256, 4])) } }
        prior.eval()
        func planted(_ count: Int) throws -> (latent: Tensor, images: Tensor) {
            let latent = try Tensor.randn([count, 4])
            return (latent, try withNoGrad { try prior.generator(latent) })
        }
        let config = ModelConfig(architecture: .cnn4, channels: 1, imageSize: 16, classes: 4)
        let thumbnail = Stage(name: "thumbnail", module: Sequential(AdaptiveAvgPool2d(4), Flatten()))
        let model = try StagedModel(config: config, stages: [thumbnail])
        let training = try (0..<16).map { _ in try planted(32).images }
        let trainer = try InversionTrainer(target: model, splits: model.splitPoints, architecture: .prior,
                                           options: InversionTrainingOptions(epochs: 25, learningRate: 0.003),
                                           prior: prior)
        _ = try trainer.train(on: ImageBatchStream(training))
        let decoder = try trainer.decoder(forSplit: 1)
        decoder.eval()
        let (truth, images) = try planted(128)
        let estimate = try withNoGrad { try XCTUnwrap(decoder.latentMapping)(try model.edge(images, upTo: 1)) }
        for dimension in 0..<4 {
            let a = try estimate.slice(dim: 1, start: dimension, end: dimension + 1).toDoubles()
            let b = try truth.slice(dim: 1, start: dimension, end: dimension + 1).toDoubles()
            XCTAssertGreaterThan(Self.correlation(a, b), 0.8, "latent dimension \(dimension)")
        }
        let mapped = try withNoGrad { try Loss.mse(decoder(try model.edge(images, upTo: 1)), images).item() }
        let origin = try withNoGrad { try Loss.mse(prior.generator(Tensor.zeros([128, 4])), images).item() }
        XCTAssertLessThan(mapped, 0.25 * origin)
    }

    /// The white-box search starts from the black-box estimate and lowers its objective (with the prior term it may
    /// trade a little feature mismatch for a more probable latent; without it, the mismatch falls), keeps
    /// the images in [0, 1], and leaves the target and the generator untouched.
    func testWhiteBoxSearchLowersItsFeatureLoss() throws {
        let model = try tinyCNN4()
        let prior = try ImagePrior(settings: ImagePriorSettings(latent: 8, epochs: 1, finetune: 0.1),
                                   imageChannels: 1, imageSize: 16)
        _ = try prior.train(on: try imageSet(count: 64))
        let split = try model.split(at: 3)
        let decoder = try InversionDecoder(for: split, prior: prior)
        let images = try syntheticImages(count: 4, channels: 1, size: 16)
        let features = try withNoGrad { try model.edge(images, upTo: 3) }
        let before = try weightsOf(model) + weightsOf(try XCTUnwrap(decoder.generator))
        let result = try PriorWhiteBoxInversion(iterations: 40).invert(features: features, decoder: decoder,
                                                                      target: model, split: 3)
        XCTAssertEqual(result.objectiveTrace.count, 41)
        XCTAssertLessThan(result.objectiveTrace.last!, result.objectiveTrace.first!)
        let matchOnly = try PriorWhiteBoxInversion(iterations: 40, priorWeight: 0)
            .invert(features: features, decoder: decoder, target: model, split: 3)
        XCTAssertLessThan(matchOnly.featureLoss.end, 0.95 * matchOnly.featureLoss.start,
                          "without the prior term the search fits the features")
        XCTAssertEqual(result.reconstructions.shape, [4, 1, 16, 16])
        XCTAssertGreaterThanOrEqual(try result.reconstructions.min().item(), 0)
        XCTAssertLessThanOrEqual(try result.reconstructions.max().item(), 1)
        XCTAssertEqual(try weightsOf(model) + weightsOf(try XCTUnwrap(decoder.generator)), before)
        XCTAssertTrue(model.parameters().allSatisfy(\.requiresGrad), "the target's parameters are released")
    }

    func testPriorSettingsParseAndRejectBadValues() throws {
        XCTAssertEqual(try ImagePriorSettings(parsing: "latent=32,finetune=0"),
                       ImagePriorSettings(latent: 32, epochs: 15, finetune: 0))
        XCTAssertThrowsError(try ImagePriorSettings(parsing: "latent=0"))
        XCTAssertThrowsError(try ImagePriorSettings(parsing: "finetune=2"))
        XCTAssertThrowsError(try ImagePriorSettings(parsing: "width=3"))
        let decoded = try JSONDecoder().decode(ImagePriorSettings.self, from: Data(#"{"epochs": 3}"#.utf8))
        XCTAssertEqual(decoded, ImagePriorSettings(latent: 64, epochs: 3, finetune: 0.1))
        XCTAssertThrowsError(try JSONDecoder().decode(ImagePriorSettings.self, from: Data(#"{"epoch": 3}"#.utf8)))
    }

    private func weightsOf(_ module: any Module) throws -> [[Double]] {
        try module.parameters().map { try $0.toDoubles() }
    }

    static func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count), ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        let cov = zip(a, b).map { ($0 - ma) * ($1 - mb) }.reduce(0, +)
        let va = a.map { ($0 - ma) * ($0 - ma) }.reduce(0, +), vb = b.map { ($0 - mb) * ($0 - mb) }.reduce(0, +)
        return cov / (va * vb).squareRoot()
    }
}
