import ArgumentParser
import GPZData
import GPZTraining

/// The options that describe a target-training run, shared by `gpz train` and `gpz vortex`.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Architecture: cnn4, vgg16bn, vgg19bn, resnet18, ir152, vit.")
    var model = "cnn4"

    @Option(help: "Data set: fashion-mnist, mnist-5k, or KIND:PATH (idx, cifar, folder, csv, npz).")
    var data = "fashion-mnist"

    @Option(help: "Resize images to N×N pixels (default: the data set's size).")
    var imageSize: Int?

    @Option(help: "Epochs to train (on --resume, the total to reach).")
    var epochs = 10

    @Option(help: "Optimiser: adam (β 0.5/0.999, AMSGrad) or sgd (momentum 0.9, weight decay 5e-4).")
    var optimizer: OptimizerChoice = .adam

    @Option(help: "Learning rate.")
    var lr = 1e-3

    @Option(help: "Batch size.")
    var batch = 128

    @Option(help: "Seed of the data split, shuffling, flips and initialisation.")
    var seed: UInt64 = 0

    @Option(help: "The attacker's data held out from training: sub:F (a fraction of the training split).")
    var aux = "sub:0.2"

    @Option(help: "Private (evaluated) images: test, or train for data sets without a test split.")
    var `private`: PrivateSource = .test

    @Option(help: "Probability of a horizontal flip per training image.")
    var flip = 0.5

    @Option(help: "cnn4 first-block width (the paper's ndf).")
    var width = 64

    @Option(help: "ViT patch size.")
    var patchSize = 4

    @Option(help: "Train on a class-stratified subset of this many training images (default: all of them).")
    var trainLimit: Int?

    /// The run's configuration with label targets `labels`, validated.
    func config(labels: String) throws -> TrainingConfig {
        let config = TrainingConfig(architecture: model, dataset: data, imageSize: imageSize, labels: labels,
                                    epochs: epochs, optimizer: optimizer, learningRate: lr, batchSize: batch,
                                    seed: seed, aux: aux, privateSource: `private`, flipProbability: flip,
                                    cnn4Width: width, patchSize: patchSize, trainLimit: trainLimit)
        try config.validate()
        return config
    }
}
