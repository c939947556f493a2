import Foundation
import GPZConfig
import GPZData
import GPZModels
import GPZNN
import GPZOptim
import GPZTensor

/// Trains a target model on the `train` role of a data set, evaluates it on the `private` role after every
/// epoch, and keeps a resumable checkpoint directory (see `CheckpointInfo`).
///
/// Runs are exactly reproducible: the data order and flips of epoch e depend only on (seed, e), and the global
/// generator (dropout, initialisation) is reseeded from (seed, e) at the start of every epoch, so a run resumed
/// from its last finished epoch ends with the same weights as one never interrupted.
public final class TargetTrainer {
    public let config: TrainingConfig
    public let roles: Roles
    public let modelConfig: ModelConfig
    public let labels: LabelScheme
    public let normalization: Normalization
    /// The exported model of a pretrained target, loaded (and checked) once.
    private let pretrainedModel: StagedModel?

    /// Validates `config` and the model it builds (before any image is resized for it), then splits `dataset`
    /// into roles.
    public init(config: TrainingConfig, dataset: Dataset) throws {
        try config.validate()
        self.config = config
        labels = config.labels
        if let pretrained = config.model {
            let (model, metadata) = try pretrained.load()
            pretrainedModel = model
            roles = try Roles.make(dataset, plan: config.splitPlan(pretrainedChannels: metadata.input[0],
                                                                        side: metadata.input[1]))
            guard roles.classNames.count == metadata.classes else {
                throw ConfigError(field: "model", "\(pretrained.path) classifies \(metadata.classes) classes, the data "
                                  + "set \(config.dataset) has \(roles.classNames.count)")
            }
            modelConfig = ModelConfig(architecture: .torchscript, channels: metadata.input[0],
                                      imageSize: metadata.input[1], classes: metadata.classes)
            normalization = Normalization(mean: metadata.preprocess.mean.map(Float.init),
                                          std: metadata.preprocess.std.map(Float.init))
            return
        }
        pretrainedModel = nil
        let plan = config.splitPlan
        try config.modelConfig(channels: plan.channels ?? dataset.shape[0], side: plan.side ?? dataset.shape[1],
                               classes: dataset.classNames.count).validate()
        roles = try Roles.make(dataset, plan: plan)
        let images = roles.train.images
        modelConfig = config.modelConfig(channels: images.channels, side: images.height,
                                             classes: roles.classNames.count)
        try modelConfig.validate()
        normalization = Normalization.standard(channels: images.channels)
    }

    /// Trains until `config.epochs` epochs are finished, writing the checkpoint to `directory` after each one.
    /// With `resume`, continues from the checkpoint already there (its configuration must match); without it, an
    /// existing checkpoint is an error rather than something to overwrite.
    /// `afterEpoch` is called with each finished epoch's record and the model, e.g. to record statistics at
    /// every split during training — before the epoch's checkpoint is written, so that what it records is never
    /// missing from a checkpoint that has the epoch (a run killed in between repeats the epoch, identically).
    public func run(directory: URL, resume: Bool, onBatch: (BatchProgress) -> Void = { _ in },
                    afterEpoch: (EpochRecord, StagedModel) throws -> Void = { _, _ in }) throws -> CheckpointInfo {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try CheckpointStore.removeLeftoverTemporaries(directory)
        if let pretrained = config.model { return try importPretrained(pretrained, into: directory) }
        try Runtime.manualSeed(config.seed)
        let model = try ModelFactory.make(modelConfig)
        if let weights = config.weights { try loadInitialWeights(weights, into: model) }
        let optimizer = try makeOptimizer(model.parameters())
        var info = try startingInfo(directory: directory, resume: resume)
        if info.epoch > 0 {
            _ = try model.loadWeights(from: directory.appendingPathComponent(info.lastWeights))
            let state = try Safetensors.read(from: directory.appendingPathComponent(info.lastOptimizer)).tensors
            try optimizer.loadStateDict(Dictionary(state, uniquingKeysWith: { first, _ in first }))
        }
        // A last batch of one image cannot be batch-normalised over the batch (IR-152's head): drop it.
        let loader = BatchLoader(roles.train.images, batchSize: config.batchSize, shuffle: true,
                                 dropLast: roles.train.count % config.batchSize == 1,
                                 flipProbability: Float(config.flipProbability), seed: config.seed)
        for epoch in info.epoch..<config.epochs {
            let started = Date()
            try Runtime.manualSeed(config.seed &* 1_000_003 &+ UInt64(epoch))
            optimizer.learningRate = config.learningRate(epoch: epoch)
            let loss = try EpochTrainer.run(model: model, optimizer: optimizer, loader: loader, epoch: epoch,
                                            epochs: config.epochs, labels: labels, normalization: normalization,
                                            onBatch: onBatch)
            let accuracy = try Evaluation.accuracy(of: model, on: roles.privateSet.images, normalization: normalization)
            let record = EpochRecord(epoch: epoch + 1, trainLoss: loss, testAccuracy: accuracy,
                                     learningRate: optimizer.learningRate, seconds: Date().timeIntervalSince(started))
            try afterEpoch(record, model)
            info.history.append(record)
            info.epoch = epoch + 1
            info.testAccuracy = accuracy
            info.lastWeights = CheckpointStore.weightsName(epoch: epoch + 1)
            info.lastOptimizer = CheckpointStore.optimizerName(epoch: epoch + 1)
            try model.saveWeights(to: directory.appendingPathComponent(info.lastWeights))
            try Safetensors.write(try optimizer.stateDict(), to: directory.appendingPathComponent(info.lastOptimizer))
            if info.bestEpoch == 0 || accuracy > info.bestAccuracy {
                info.bestEpoch = epoch + 1
                info.bestAccuracy = accuracy
                info.bestWeights = info.lastWeights
            }
            try CheckpointStore.writeInfo(info, to: directory)
            try CheckpointStore.removeUnnamedFiles(directory, keeping: info)
        }
        return info
    }

    /// The model for this configuration: the exported model for a pretrained target, else `architecture` freshly
    /// and randomly initialised.
    public func makeModel() throws -> StagedModel {
        if let pretrainedModel { return pretrainedModel }
        return try ModelFactory.make(modelConfig)
    }

    /// A pretrained target needs no training: the archive is copied into the checkpoint directory and its test
    /// accuracy measured on the private role once. A directory that already holds this import is reused.
    private func importPretrained(_ pretrained: PretrainedModel, into directory: URL) throws -> CheckpointInfo {
        let hash = try config.hash
        if let existing = try CheckpointStore.readInfo(directory), existing.configHash == hash, existing.archive != nil {
            return existing
        }
        let archive = directory.appendingPathComponent(CheckpointInfo.archiveName)
        let copy = directory.appendingPathComponent(CheckpointInfo.archiveName + ".partial")
        try? FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(at: pretrained.url, to: copy)
        try? FileManager.default.removeItem(at: archive)
        try FileManager.default.moveItem(at: copy, to: archive)
        let accuracy = try Evaluation.accuracy(of: try makeModel(), on: roles.privateSet.images,
                                               normalization: normalization)
        let info = CheckpointInfo(format: CheckpointInfo.formatName, config: config, configHash: hash,
                                  model: modelConfig, classNames: roles.classNames,
                                  normalizationMean: normalization.mean, normalizationStd: normalization.std,
                                  data: roles.manifest(includingIndices: false), epoch: 0, testAccuracy: accuracy,
                                  bestEpoch: 0, bestAccuracy: accuracy, history: [], lastWeights: "",
                                  lastOptimizer: "", bestWeights: "", archive: CheckpointInfo.archiveName)
        try CheckpointStore.writeInfo(info, to: directory)
        return info
    }

    /// Starts `model` from the safetensors file `path` (every tensor named as `model.stateDict()` names it).
    private func loadInitialWeights(_ path: String, into model: StagedModel) throws {
        do {
            _ = try model.loadWeights(from: URL(fileURLWithPath: path))
        } catch let error as TensorError {
            throw ConfigError(field: "weights", "\(path): the weights do not fit \(config.architecture) (\(error.message)); "
                              + "docs/own-models.md lists the expected names")
        } catch let error as SafetensorsError {
            throw ConfigError(field: "weights", error.description)
        }
    }

    private func makeOptimizer(_ parameters: [Tensor]) throws -> any Optimizer {
        switch config.optimizer {
        case .adam:
            return try Adam(parameters: parameters, lr: config.learningRate, betas: (0.5, 0.999), amsgrad: true)
        case .sgd:
            return try SGD(parameters: parameters, lr: config.learningRate, momentum: 0.9, weightDecay: 5e-4)
        }
    }

    /// A fresh description, or the existing one when resuming a run with the same configuration.
    private func startingInfo(directory: URL, resume: Bool) throws -> CheckpointInfo {
        if let existing = try CheckpointStore.readInfo(directory) {
            guard resume else {
                throw TrainingError("\(directory.path) already holds a checkpoint (epoch \(existing.epoch)); "
                                    + "pass --resume to continue it or choose another --out")
            }
            guard existing.configHash == (try config.hash) else {
                throw TrainingError("\(directory.path): the checkpoint was trained with a different configuration "
                                    + "(\(existing.config)); only --epochs may change on --resume")
            }
            let manifest = roles.manifest(includingIndices: false)
            guard existing.data == manifest, existing.model == modelConfig else {
                throw TrainingError("\(directory.path): the data or the model differ from the checkpoint's "
                                    + "(membership hashes or model configuration changed); train into a new --out")
            }
            guard config.epochs >= existing.epoch else {
                throw TrainingError("epochs: the checkpoint has already finished \(existing.epoch) epochs; "
                                    + "--epochs \(config.epochs) would go back")
            }
            var info = existing
            info.config.epochs = config.epochs
            return info
        }
        return CheckpointInfo(format: CheckpointInfo.formatName, config: config, configHash: try config.hash,
                              model: modelConfig, classNames: roles.classNames,
                              normalizationMean: normalization.mean, normalizationStd: normalization.std,
                              data: roles.manifest(includingIndices: false), epoch: 0, testAccuracy: 0,
                              bestEpoch: 0, bestAccuracy: 0, history: [], lastWeights: "", lastOptimizer: "",
                              bestWeights: "", archive: nil)
    }
}
