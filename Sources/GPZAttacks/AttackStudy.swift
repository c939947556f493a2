import Foundation
import GPZConfig
import GPZData
import GPZModels
import GPZTensor
import GPZTraining

/// Runs a model-inversion attack on a trained checkpoint at every requested split.
///
/// Data roles are re-derived from the checkpoint's configuration (and checked against its membership hash): the
/// attacker's `sub` data is exactly the fraction held out of target training, so no attacker image was ever a
/// training image; `cross:NAME` takes another data set converted to the target's input. Results, grids and
/// `attack.json` go to the output directory.
public struct AttackStudy {
    public var config: AttackConfig
    /// Where the prior attackers' trained priors are kept (`ImagePrior.trained`); nil trains one per run.
    public var priorCache: URL?
    /// What the last prior attack's prior was (trained or loaded), for the run's record.
    public private(set) var priorReport: ImagePrior.Report?
    /// The defender's noise at each attacked split of the current run (empty at `noise` 0).
    private var noise: [Int: FeatureNoise] = [:]

    public init(config: AttackConfig, priorCache: URL? = nil) {
        self.config = config
        self.priorCache = priorCache
    }

    /// The seed of every prior: one prior per aux set, shared by every attack seed, split and study.
    public static let priorSeed: UInt64 = 0

    /// Attacks the checkpoint at the configured splits and writes the grids and `attack.json` to `out`.
    public mutating func run(checkpoint: URL, out: URL,
                             progress: @escaping (AttackProgress) -> Void = { _ in }) throws -> AttackResults {
        let started = Date()
        let (model, info) = try CheckpointStore.loadModel(checkpoint)
        let data = try AttackData(info: info, config: config)
        let results = try run(model: model, info: info, data: data, out: out, progress: progress)
        let output = AttackResults(attack: config, checkpoint: checkpoint.path,
                                   architecture: info.model.architecture.rawValue, auxSource: data.aux.source,
                                   auxImages: data.aux.count, auxSha256: data.aux.membershipHash,
                                   evaluatedImages: results.first?.images ?? 0,
                                   seconds: Date().timeIntervalSince(started), splits: results, prior: priorReport)
        try CanonicalJSON.encoder(pretty: true).encode(output).write(to: out.appendingPathComponent("attack.json"), options: .atomic)
        return output
    }

    /// Attacks `model` at the configured splits (only those in `only`, when given), writes each split's grid
    /// under `out/grids/` and returns the results in split order; `onSplit` sees each result once its grid is
    /// written. Every split's decoder (or rMLE start) is seeded from (seed, split index), so a split's result
    /// does not depend on which other splits are attacked with it. Learned decoders read the target's features
    /// from `bank` (one per model and `data`, shared by several runs) or from a bank of their own.
    public mutating func run(model: StagedModel, info: CheckpointInfo, data: AttackData, out: URL, only: Set<Int>? = nil,
                    bank: FeatureBank? = nil, onSplit: (SplitAttackResult) throws -> Void = { _ in },
                    progress: @escaping (AttackProgress) -> Void = { _ in }) throws -> [SplitAttackResult] {
        try validate()
        let splits = try selectedSplits(model).filter { only?.contains($0.index) ?? true }
        guard !splits.isEmpty else { return [] }
        let normalize = { (x: Tensor) throws -> Tensor in try info.normalization.apply(x) }
        let enhancements = try makeEnhancements(model: model, splits: splits, attackerImages: data.aux.images,
                                                normalize: normalize)
        noise = try FeatureNoise.calibrated(sigma: config.noise.sigma, model: model, splits: splits.map(\.index),
                                           images: data.trainImages, normalization: info.normalization)
        try Runtime.manualSeed(config.seed)
        let grids = out.appendingPathComponent("grids")
        try FileManager.default.createDirectory(at: grids, withIntermediateDirectories: true)
        let embedding = try ReidentificationEmbedding.fit(images: Self.unitImages(data.attackerImages.images),
                                                          seed: config.seed)
        var results: [SplitAttackResult] = []
        func finish(_ evaluation: SplitEvaluation, training: SplitTraining?) throws {
            var result = try self.result(evaluation, model: model, enhancement: enhancements[evaluation.split.index],
                                         data: data, grids: grids, normalize: normalize)
            result.training = training
            result.reidentification = try Self.reidentification(
                evaluation.reconstructions, of: evaluation.originals, labels: data.evaluationImages.labels,
                embedding: embedding, seed: config.seed)
            try onSplit(result)
            results.append(result)
        }
        let prior = try priorIfNeeded(model: model, data: data, progress: progress)
        switch config.attacker {
        case .decoder, .strong, .prior:
            let (trainer, training) = try learnedInversion(model: model, splits: splits, enhancements: enhancements,
                                                           data: data, normalize: normalize, bank: bank, prior: prior,
                                                           progress: progress)
            let evaluation = ImageStreams.ordered(data.evaluationImages, batchSize: 500)
            if !noise.isEmpty { try Runtime.manualSeed(Self.noiseSeed(config.seed, role: 1)) }
            for result in try trainer.evaluate(on: evaluation, keep: data.evaluationImages.count, progress: { p in
                progress(AttackProgress(stage: "evaluate", done: p.done, total: evaluation.batchesPerPass ?? 0, loss: nil))
            }) {
                try finish(result, training: training[result.split.index])
            }
        case .rmle:
            try whiteBox(model: model, splits: splits, images: data.evaluationImages, normalize: normalize,
                         progress: progress) { try finish($0, training: nil) }
        case .priorWhitebox:
            let (trainer, training) = try learnedInversion(model: model, splits: splits, enhancements: [:], data: data,
                                                           normalize: normalize, bank: bank, prior: prior,
                                                           progress: progress)
            try priorWhiteBox(model: model, trainer: trainer, images: data.evaluationImages, normalize: normalize,
                              progress: progress) { try finish($0, training: training[$0.split.index]) }
        }
        return results
    }

    /// The prior of the prior attackers, trained on the attacker's training images `data.aux` (never on private
    /// or target-training images) or loaded from `priorCache`; nil for the other attackers.
    private mutating func priorIfNeeded(model: StagedModel, data: AttackData,
                                        progress: @escaping (AttackProgress) -> Void) throws -> ImagePrior? {
        guard config.attacker == .prior || config.attacker == .priorWhitebox else { return nil }
        let settings = config.prior
        let (prior, report) = try ImagePrior.trained(
            on: data.aux.images, membership: data.aux.membershipHash, imageChannels: model.config.channels,
            imageSize: model.config.imageSize, settings: settings, seed: Self.priorSeed, cache: priorCache) { done, total, loss in
            progress(AttackProgress(stage: "train image prior (\(settings.epochs) epochs)", done: done, total: total,
                                    loss: loss))
        }
        priorReport = report
        return prior
    }

    /// Re-identification of reconstructions [n, C, H, W] of the first n evaluated `originals` (whose classes are
    /// the first n `labels`) among `reidentificationCandidates` of their class, or nil where a class has fewer.
    public static func reidentification(_ reconstructions: Tensor, of originals: Tensor, labels: [Int],
                                        embedding: ReidentificationEmbedding,
                                        seed: UInt64) throws -> Reidentification.Measured? {
        let count = reconstructions.size(0)
        let used = Array(labels.prefix(count))
        let sizes = Dictionary(grouping: used, by: { $0 }).mapValues(\.count)
        guard count == originals.size(0), used.count == count,
              sizes.values.allSatisfy({ $0 >= reidentificationCandidates }) else { return nil }
        return try Reidentification.measure(reconstructions: reconstructions, originals: originals, labels: used,
                                            embedding: embedding, candidates: reidentificationCandidates, seed: seed)
    }

    /// K, the candidates of a re-identification trial (the original and K − 1 others of its class): chance is 1/K.
    public static let reidentificationCandidates = 10

    /// All of `images` as one tensor [N, C, H, W] in [0, 1], unflipped.
    public static func unitImages(_ images: ImageSet) throws -> Tensor {
        let batch = BatchLoader.assemble(images, indices: Array(0..<images.count),
                                         flip: [Bool](repeating: false, count: images.count))
        return try BatchLoader.tensors(batch).images
    }

    private func result(_ evaluation: SplitEvaluation, model: StagedModel, enhancement: (any FeatureEnhancement)?,
                        data: AttackData, grids: URL,
                        normalize: @escaping (Tensor) throws -> Tensor) throws -> SplitAttackResult {
        let split = evaluation.split, summary = evaluation.summary
        let file = grids.appendingPathComponent("\(config.attacker.rawValue)-\(split.index)-\(split.name).png")
        let shown = Swift.min(Self.gridImages, evaluation.originals.size(0))
        try GridImage.write(originals: try evaluation.originals.slice(dim: 0, end: shown),
                            reconstructions: try evaluation.reconstructions.slice(dim: 0, end: shown), to: file)
        let accuracy = try enhancement.map {
            try DefenseAccuracy.measure(model: model, enhancement: $0, split: split.index,
                                        images: data.evaluationImages, normalize: normalize)
        }
        let asSent = config.encoding == .fp32 && noise[split.index] == nil ? nil
            : try Self.accuracyAsSent(model: model, split: split.index, wire: config.encoding,
                                      noise: noise[split.index], seed: config.seed, images: data.evaluationImages,
                                      normalize: normalize)
        return SplitAttackResult(
            name: split.name, index: split.index, shape: split.shape, mse: summary.mse.mean,
            mseSumChannels: summary.mseSumChannels.mean, psnr: summary.psnr.mean, ssim: summary.ssim.mean,
            cosine: summary.cosine.mean, mseStd: summary.mse.std, psnrStd: summary.psnr.std,
            ssimStd: summary.ssim.std, images: summary.count, accuracyWithDefense: accuracy, accuracyAsSent: asSent,
            grid: "grids/" + file.lastPathComponent)
    }

    /// Top-1 accuracy of cloud(Z with the defender's `noise`, as received with `wire`) on `images`; image i's noise
    /// comes from `FeatureNoise.accountingSeed(seed, image: i)`, as `gpz edge --noise` draws it.
    static func accuracyAsSent(model: any SplittableModel, split: Int, wire: WireEncoding, noise: FeatureNoise? = nil,
                               seed: UInt64 = 0, images: ImageSet,
                               normalize: (Tensor) throws -> Tensor) throws -> Double {
        var offset = 0
        return try Evaluation.accuracy(of: model, on: images) {
            let z = try model.edge(try normalize($0), upTo: split)
            let seeds = (offset..<offset + z.size(0)).map { FeatureNoise.accountingSeed(seed, image: $0) }
            offset += z.size(0)
            return try model.cloud(try FeatureQuantizer.received(try noise?.apply(z, sampleSeeds: seeds) ?? z, as: wire),
                                   from: split)
        }
    }

    /// The seed of the defender's noise draws in one role: 1 the evaluated images, 3 + k the white-box attackers'
    /// observations at split k; the attacker's training draws follow its decoder seeds, and the accounting's are per
    /// image (`FeatureNoise.accountingSeed`). No two roles share draws.
    static func noiseSeed(_ seed: UInt64, role: UInt64) -> UInt64 { (seed &+ 0x5EED_0000) &* 1_000_033 &+ role }

    /// Checks the settings, naming the first bad one.
    public func validate() throws {
        try ConfigError.within("attack") { try config.validate() }
    }

    /// The splits `config.splits` names (`SplitSelection.attackPoints`); a bad name is a `TrainingError`
    /// naming the field.
    public func selectedSplits(_ model: StagedModel) throws -> [SplitPoint] {
        do {
            return try config.splits.attackPoints(model)
        } catch let error as ModelError {
            throw TrainingError("splits: \(error.message)")
        }
    }

    /// The representation enhancement at each split. As in the paper's code, its statistics come from the
    /// attacker's own data: the enhancements are the attacker's stress test ("dual buffs"), not a defence.
    private func makeEnhancements(model: StagedModel, splits: [SplitPoint], attackerImages: ImageSet,
                                  normalize: @escaping (Tensor) throws -> Tensor) throws -> [Int: any FeatureEnhancement] {
        switch config.defense {
        case .none:
            return [:]
        case .normalize:
            let sample = attackerImages.subset(Array(0..<Swift.min(2_000, attackerImages.count)))
            return try FeatureNormalization.fit(target: model, splits: splits,
                                                images: ImageStreams.ordered(sample, batchSize: 250),
                                                normalizeInput: normalize)
        case .fft:
            return Dictionary(uniqueKeysWithValues: splits.map { ($0.index, FFTResidual() as any FeatureEnhancement) })
        case .dropoutConcat:
            return Dictionary(uniqueKeysWithValues: try splits.map {
                ($0.index, try DropoutConcat() as any FeatureEnhancement)
            })
        }
    }

    /// Images per grid.
    static let gridImages = 8

    /// Trains the learned attacker's decoders (or the prior attacker's mappings) at `splits`; returns the trainer and
    /// each split's training record.
    private func learnedInversion(model: StagedModel, splits: [SplitPoint],
                                  enhancements: [Int: any FeatureEnhancement], data: AttackData,
                                  normalize: @escaping (Tensor) throws -> Tensor, bank: FeatureBank?, prior: ImagePrior?,
                                  progress: @escaping (AttackProgress) -> Void) throws -> (InversionTrainer, [Int: SplitTraining]) {
        var options = InversionTrainingOptions(epochs: config.epochs, learningRate: config.learningRate,
                                               featureBankBytes: config.featureBankMiB << 20, schedule: config.schedule)
        options.decoderSeed = config.seed
        options.patience = data.validation.count > 0 ? config.patience : nil
        let architecture: DecoderArchitecture = switch config.attacker {
        case .strong: .strong
        case .prior, .priorWhitebox: .prior
        case .decoder, .rmle: .deconvolution
        }
        let trainer = try InversionTrainer(target: model, splits: splits, architecture: architecture,
                                           enhancements: enhancements, options: options, normalizeInput: normalize,
                                           bank: bank, wire: config.encoding, prior: prior, noise: noise)
        let aux = ImageStreams.shuffled(data.aux.images, batchSize: config.batchSize, seed: config.seed)
        let batches = aux.batchesPerPass ?? 0
        let perRun = config.schedule == .oneSplitPerRun ? splits.count : 1
        let validation = ImageStreams.ordered(data.validation.images, batchSize: 500)
        var step = 0
        let noun = architecture == .prior ? "latent mappings" : "decoders"
        let report = try trainer.train(on: aux, validation: data.validation.count > 0 ? validation : nil) { p in
            step += 1
            progress(AttackProgress(stage: "train \(noun) (at most \(p.epochs) epochs)", done: step,
                                    total: batches * config.epochs * perRun, loss: p.loss))
        }
        let training = Dictionary(uniqueKeysWithValues: splits.map { split in
            let losses = report.validationLosses[split.index] ?? []
            return (split.index, SplitTraining(
                auxImages: data.aux.count, validationImages: data.validation.count,
                epochs: losses.isEmpty ? report.epochLosses[split.index]?.count ?? config.epochs : losses.count,
                bestEpoch: report.bestEpochs[split.index], validationMSE: losses,
                converged: report.stops[split.index] == .plateau))
        })
        return (trainer, training)
    }

    /// The first `rmle_images` evaluated images, unflipped, as one tensor: the white-box attackers' sample.
    private func whiteBoxSample(_ images: ImageSet) throws -> Tensor {
        let count = Swift.min(config.rmleImages, images.count)
        return try BatchLoader.tensors(BatchLoader.assemble(images, indices: Array(0..<count),
                                                            flip: [Bool](repeating: false, count: count))).images
    }

    /// Z of `sample` at `split` as the cloud receives it, with the defender's noise (its own draws): what a
    /// white-box attacker matches.
    private func observed(_ sample: Tensor, model: StagedModel, split: Int,
                          normalize: (Tensor) throws -> Tensor) throws -> Tensor {
        try withNoGrad {
            var z = try model.edge(normalize(sample), upTo: split)
            if let noise = noise[split] {
                try Runtime.manualSeed(Self.noiseSeed(config.seed, role: 3 &+ UInt64(split)))
                z = try noise.apply(z)
            }
            return try FeatureQuantizer.received(z, as: config.encoding)
        }
    }

    private func priorWhiteBox(model: StagedModel, trainer: InversionTrainer, images: ImageSet,
                               normalize: @escaping (Tensor) throws -> Tensor,
                               progress: @escaping (AttackProgress) -> Void,
                               each: (SplitEvaluation) throws -> Void) throws {
        let sample = try whiteBoxSample(images)
        let inversion = PriorWhiteBoxInversion(iterations: config.rmleIterations)
        for (position, split) in trainer.splits.enumerated() {
            let result = try inversion.invert(features: try observed(sample, model: model, split: split.index,
                                                                     normalize: normalize),
                                              decoder: try trainer.decoder(forSplit: split.index), target: model,
                                              split: split.index, normalizeInput: normalize) { done, total, objective in
                progress(AttackProgress(stage: "prior-whitebox split \(position + 1)/\(trainer.splits.count)",
                                        done: done, total: total, loss: objective))
            }
            var accumulator = ReconstructionMetricsAccumulator()
            try accumulator.add(result.reconstructions, sample)
            try each(SplitEvaluation(split: split, summary: accumulator.summary, originals: sample,
                                     reconstructions: result.reconstructions))
        }
    }

    private func whiteBox(model: StagedModel, splits: [SplitPoint], images: ImageSet,
                          normalize: @escaping (Tensor) throws -> Tensor,
                          progress: @escaping (AttackProgress) -> Void,
                          each: (SplitEvaluation) throws -> Void) throws {
        let sample = try whiteBoxSample(images)
        let inversion = WhiteBoxInversion(iterations: config.rmleIterations)
        for (position, split) in splits.enumerated() {
            try Runtime.manualSeed(config.seed &* 1_000_003 &+ UInt64(split.index))
            let result = try inversion.invert(features: try observed(sample, model: model, split: split.index,
                                                                     normalize: normalize), target: model, split: split.index,
                                              normalizeInput: normalize) { done, total, objective in
                progress(AttackProgress(stage: "rMLE split \(position + 1)/\(splits.count)", done: done, total: total,
                                        loss: objective))
            }
            var accumulator = ReconstructionMetricsAccumulator()
            try accumulator.add(result.reconstructions, sample)
            try each(SplitEvaluation(split: split, summary: accumulator.summary, originals: sample,
                                     reconstructions: result.reconstructions))
        }
    }
}
