import ArgumentParser
import GPZConfig
import GPZData
import GPZModels
import GPZTraining

/// The options that describe a target-training run, shared by `gpz train` and `gpz vortex`. Types, defaults and
/// names are `TrainingConfig`'s: `--architecture` is a scan file's `target.architecture`, `--dataset` its
/// `target.dataset`, `--cnn4-width` its `target.cnn4_width` (the earlier spellings `--model`, `--data` and `--width`
/// are kept as aliases).
struct TrainingOptions: ParsableArguments {
    static let defaults = TrainingConfig()

    @Option(name: [.customLong("architecture"), .customLong("model")], help: "Architecture.")
    var architecture = defaults.architecture

    @Option(name: [.customLong("dataset"), .customLong("data")],
            help: "Data set: fashion-mnist, mnist-5k, or KIND:PATH (idx, cifar, folder, csv, npz).")
    var dataset = defaults.dataset

    @Option(help: "Resize images to N×N pixels (default: the data set's size).")
    var imageSize: Int?

    @Option(help: "Epochs to train (on --resume, the total to reach).")
    var epochs = defaults.epochs

    @Option(help: "Optimiser: adam (β 0.5/0.999, AMSGrad) or sgd (momentum 0.9, weight decay 5e-4).")
    var optimizer = defaults.optimizer

    @Option(help: "Learning rate.")
    var lr = defaults.learningRate

    @Option(help: "Per-epoch learning-rate decay γ: epoch e trains at lr·γ^e (default: constant).")
    var lrDecay: Double?

    @Option(help: "Batch size.")
    var batch = defaults.batchSize

    @Option(help: "Seed of the data split, shuffling, flips and initialisation.")
    var seed = defaults.seed

    @Option(help: "The attacker's data held out from training: sub:F (a fraction of the training split).")
    var aux = defaults.aux

    @Option(help: "Private (evaluated) images: test, or train for data sets without a test split.")
    var `private` = defaults.privateSource

    @Option(help: "Probability of a horizontal flip per training image.")
    var flip = defaults.flipProbability

    @Option(name: [.customLong("cnn4-width"), .customLong("width")], help: "cnn4 first-block width (the paper's ndf).")
    var cnn4Width = defaults.cnn4Width

    @Option(help: "ViT patch size.")
    var patchSize = defaults.patchSize

    @Option(help: "Train on a class-stratified subset of this many training images (default: all of them).")
    var trainLimit: Int?

    /// The run's configuration with label targets `labels`, validated (errors name `target.FIELD`, as in a scan
    /// file).
    func config(labels: LabelScheme) throws -> TrainingConfig {
        var config = TrainingConfig()
        config.architecture = architecture
        config.dataset = dataset
        config.imageSize = imageSize
        config.labels = labels
        config.epochs = epochs
        config.optimizer = optimizer
        config.learningRate = lr
        config.learningRateDecay = lrDecay
        config.batchSize = batch
        config.seed = seed
        config.aux = aux
        config.privateSource = `private`
        config.flipProbability = flip
        config.cnn4Width = cnn4Width
        config.patchSize = patchSize
        config.trainLimit = trainLimit
        try ConfigError.within("target") { try config.validate() }
        return config
    }
}

extension Architecture: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(named: argument) }
}

extension LabelScheme: ExpressibleByArgument {
    public init?(argument: String) {
        guard let scheme = try? LabelScheme.parse(argument) else { return nil }
        self = scheme
    }
}

extension AuxMode: ExpressibleByArgument {
    public init?(argument: String) {
        guard let mode = try? AuxMode.parse(argument) else { return nil }
        self = mode
    }
}
