import GPZModels
import GPZNN
import GPZOptim
import GPZTensor

/// The black-box learned-inversion attack at many splits at once.
///
/// The attacker queries the frozen edge f_edge with its own auxiliary images x ∈ [0, 1] (the target in
/// evaluation mode, under no-grad, after the caller's input normalisation) and observes Z = f_edge(x), or the
/// enhanced E(Z) when the defender applies a `FeatureEnhancement` at that split. For every split k it trains a
/// decoder g_k (`InversionDecoder`, built for the observed shape) to minimise
///
///     L_k = mean over the batch's elements of (g_k(Z_k) − x)²     (MSE against the un-normalised images)
///
/// with Adam. When the edge sends Z encoded (`wire`: FP16, or INT8 with one scale per sample), the attacker
/// observes exactly what the cloud receives, `FeatureQuantizer.received(Z, as: wire)`, before any enhancement
/// (the bank keeps the raw features; the encoding is applied to every batch read from it).
/// In the default one-pass schedule every aux batch runs the target once (`features(_:at:)`) and each
/// decoder takes one step on its split's features. When the aux stream numbers its images, the target's features
/// are banked per image (`FeatureBank`, within `InversionTrainingOptions.featureBankBytes`, or a bank shared
/// with other trainers) and later batches read them instead of running the target; the batch order stays the
/// stream's. `evaluate(on:keep:progress:)` then measures the decoders on private images.
public final class InversionTrainer {
    public let target: any SplittableModel
    /// The attacked splits, in the order given.
    public let splits: [SplitPoint]
    /// One decoder per split, in the order of `splits`.
    public let decoders: [InversionDecoder]
    /// Defences applied to the features of some splits, by split index.
    public let enhancements: [Int: any FeatureEnhancement]
    /// The encoding Z travels in; the attacker sees Z as received.
    public let wire: WireEncoding
    /// The defender's noise at each split that has it, added by the edge to Z before it is encoded.
    public let noise: [Int: FeatureNoise]
    public let options: InversionTrainingOptions
    private let normalizeInput: (Tensor) throws -> Tensor
    /// Per decoder: one Adam over its parameters, or for a prior decoder one over the mapping and, when the prior
    /// is fine-tuned, one over the generator at `finetune` times the step size.
    private let optimizers: [[Adam]]
    private let sharedBank: FeatureBank?

    /// - Parameters:
    ///   - target: the frozen model; it is switched to evaluation mode and never updated.
    ///   - splits: the splits to attack (distinct indices).
    ///   - architecture: the decoder family.
    ///   - enhancements: the defence at each split index that has one.
    ///   - normalizeInput: the target's input normalisation, applied to the [0, 1] images before the target.
    ///   - bank: features banked by earlier trainers of the same target, normalisation and aux set; without it the
    ///     trainer banks for itself within `options.featureBankBytes`.
    ///   - wire: the encoding the edge sends Z in (the attacker observes Z as received).
    ///   - prior: the image prior the `.prior` architecture maps into (required for it, ignored otherwise).
    ///   - noise: the defender's noise per split index; fresh draws for every batch the attacker sees.
    public init(target: any SplittableModel, splits: [SplitPoint], architecture: DecoderArchitecture = .deconvolution,
                enhancements: [Int: any FeatureEnhancement] = [:], options: InversionTrainingOptions = .init(),
                normalizeInput: @escaping (Tensor) throws -> Tensor = { $0 }, bank: FeatureBank? = nil,
                wire: WireEncoding = .fp32, prior: ImagePrior? = nil, noise: [Int: FeatureNoise] = [:]) throws {
        try AttackError.check(architecture != .prior || prior != nil, "InversionTrainer: the prior decoder needs a prior")
        try AttackError.check(!splits.isEmpty, "InversionTrainer: no splits to attack")
        try AttackError.check(Set(splits.map(\.index)).count == splits.count,
                              "InversionTrainer: split indices \(splits.map(\.index)) repeat")
        try AttackError.check(options.epochs >= 1, "InversionTrainer: epochs must be at least 1, got \(options.epochs)")
        self.target = target
        self.splits = splits
        self.enhancements = enhancements
        self.wire = wire
        self.noise = noise
        self.options = options
        self.normalizeInput = normalizeInput
        sharedBank = bank
        let config = target.config
        decoders = try splits.map { split in
            if let seed = options.decoderSeed { try Runtime.manualSeed(seed &* 1_000_003 &+ UInt64(split.index)) }
            let observed = try enhancements[split.index]?.enhancedSplit(split) ?? split
            if architecture == .prior, let prior { return try InversionDecoder(for: observed, prior: prior) }
            return try InversionDecoder(for: observed, imageChannels: config.channels, imageSize: config.imageSize,
                                        architecture: architecture)
        }
        func adam(_ parameters: [Tensor], scale: Double = 1) throws -> Adam {
            try Adam(parameters: parameters, lr: options.learningRate * scale, betas: (options.beta1, options.beta2),
                     amsgrad: options.amsgrad)
        }
        optimizers = try decoders.map { decoder in
            guard let mapping = decoder.latentMapping, let generator = decoder.generator, let prior else {
                return [try adam(decoder.parameters())]
            }
            guard prior.settings.finetune > 0 else {
                for parameter in generator.parameters() { try parameter.requiringGrad(false) }
                return [try adam(mapping.parameters())]
            }
            return [try adam(mapping.parameters()), try adam(generator.parameters(), scale: prior.settings.finetune)]
        }
        target.eval()
    }

    /// The decoder attacking split `index`.
    public func decoder(forSplit index: Int) throws -> InversionDecoder {
        guard let position = splits.firstIndex(where: { $0.index == index }) else {
            throw AttackError("InversionTrainer: split \(index) is not attacked; attacked are \(splits.map(\.index))")
        }
        return decoders[position]
    }

    /// Trains every split's decoder on the aux images for `options.epochs` epochs, or, with `validation` images
    /// and `options.patience`, until each decoder's validation MSE stops improving (`EarlyStopping`, one check per
    /// epoch, at most `options.epochs`); each decoder then keeps the weights of its best epoch.
    public func train(on aux: ImageBatchStream, validation: ImageBatchStream? = nil,
                      progress: ((InversionProgress) -> Void)? = nil) throws -> InversionTrainingReport {
        let clock = ContinuousClock()
        let start = clock.now
        var report = InversionTrainingReport()
        switch options.schedule {
        case .allSplitsInOnePass:
            try train(Array(splits.indices), on: aux, validation: validation, report: &report, progress: progress)
        case .oneSplitPerRun:
            for position in splits.indices {
                try train([position], on: aux, validation: validation, report: &report, progress: progress)
            }
        }
        let elapsed = clock.now - start
        report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return report
    }

    /// What the attacker observes at each split of `group` (positions in `splits`) for a batch of [0, 1] images:
    /// the target's features from one forward pass (only the edge when one split is wanted), as received after
    /// the wire encoding, each enhanced where the defender enhances it.
    func observedFeatures(_ images: Tensor, at group: [Int]) throws -> [Int: Tensor] {
        try enhanced(try targetFeatures(images, at: group))
    }

    /// The target's raw features at the splits of `group` (positions in `splits`) for [0, 1] images.
    private func targetFeatures(_ images: Tensor, at group: [Int]) throws -> [Int: Tensor] {
        let indices = group.map { splits[$0].index }
        return try withNoGrad {
            let input = try normalizeInput(images)
            return indices.count == 1
                ? [indices[0]: try target.edge(input, upTo: indices[0])]
                : try target.features(input, at: indices).features
        }
    }

    /// Raw features with the defender's noise where there is one, as the cloud receives them (`wire`), with the
    /// defender's enhancement applied where there is one.
    private func enhanced(_ features: [Int: Tensor]) throws -> [Int: Tensor] {
        try withNoGrad {
            var observed: [Int: Tensor] = [:]
            for (index, raw) in features.sorted(by: { $0.key < $1.key }) {
                let z = try FeatureQuantizer.received(try noise[index]?.apply(raw) ?? raw, as: wire)
                observed[index] = try enhancements[index]?.apply(z) ?? z
            }
            return observed
        }
    }

    /// Trains the decoders at `group` (positions in `splits`) together, one target pass per batch; a decoder
    /// that early stopping has stopped takes no more steps.
    private func train(_ group: [Int], on aux: ImageBatchStream, validation: ImageBatchStream?,
                       report: inout InversionTrainingReport, progress: ((InversionProgress) -> Void)?) throws {
        let bank = sharedBank ?? aux.sampleCount.map { FeatureBank(sampleCount: $0, budgetBytes: options.featureBankBytes) }
        let groupSplits = group.map { splits[$0] }
        let groupIndices = groupSplits.map(\.index)
        var stopping = try validation == nil ? nil : options.patience.map { patience in
            try ValidationStopping(group, validation: try validationSet(validation!, group: group),
                                   rule: try EarlyStopping(patience: patience,
                                                           minRelativeImprovement: options.minRelativeImprovement,
                                                           maxChecks: options.epochs))
        }
        for epoch in 1...options.epochs {
            if let stopping, stopping.allStopped { break }
            var lossSums = [Double](repeating: 0, count: group.count)
            var batches = 0
            var images = 0
            func step(_ batch: Tensor, _ features: [Int: Tensor], total: Int?) throws {
                var batchLoss = 0.0, active = 0
                for (slot, position) in group.enumerated() where stopping?.isActive(position) ?? true {
                    guard let z = features[splits[position].index] else {
                        throw AttackError("InversionTrainer: no features for split \(splits[position].index)")
                    }
                    let loss = try trainStep(position, features: z, images: batch)
                    lossSums[slot] += loss
                    batchLoss += loss
                    active += 1
                }
                batches += 1
                images += batch.size(0)
                progress?(InversionProgress(stage: .training, splits: groupSplits, epoch: epoch,
                                            epochs: options.epochs, done: batches, total: total,
                                            loss: batchLoss / Double(Swift.max(active, 1))))
            }
            try aux.forEachIndexedBatch { batch, rows in
                let raw: [Int: Tensor]
                if let bank, let rows, let banked = try bank.lookup(rows, at: groupIndices) {
                    raw = banked
                    report.bankedBatches += 1
                } else {
                    raw = try targetFeatures(batch, at: group)
                    report.targetBatches += 1
                    if let bank, let rows { try bank.record(raw, indices: rows) }
                }
                try step(batch, try enhanced(raw), total: aux.batchesPerPass)
            }
            try AttackError.check(batches > 0, "InversionTrainer: the aux data yielded no batches")
            report.images += images
            for (slot, position) in group.enumerated() where stopping?.isActive(position) ?? true {
                report.epochLosses[splits[position].index, default: []].append(lossSums[slot] / Double(batches))
            }
            try stopping?.check(epoch: epoch, trainer: self)
        }
        try stopping?.finish(trainer: self, report: &report)
    }

    /// One Adam step of the decoder at `position` on MSE(g(z), x); returns the loss before the step.
    private func trainStep(_ position: Int, features: Tensor, images: Tensor) throws -> Double {
        let decoder = decoders[position]
        decoder.startTraining()
        let loss = try Loss.mse(decoder(features), images)
        let value = try loss.item()
        guard value.isFinite else {
            throw AttackError("split \(splits[position].index) (\(splits[position].name)): the decoder's loss is "
                              + "\(value); lower the learning rate")
        }
        for optimizer in optimizers[position] { try optimizer.zeroGrad() }
        try loss.backward()
        for optimizer in optimizers[position] { try optimizer.step() }
        return value
    }
}
