import ArgumentParser
import Foundation
import GPZAttacks
import GPZReport
import GPZScan
import GPZTensor

/// `gpz attack`: model inversion at every split of a trained checkpoint.
struct AttackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attack",
        abstract: "Reconstruct private inputs from the features sent at each split; MSE, PSNR, SSIM, cosine.",
        discussion: """
        Threat model (docs/attacks.md): the attacker observes Z = f_edge(x) of private images. Black-box attackers
        (decoder, strong) query f_edge with their own auxiliary images and train one decoder per split; all
        splits are trained from one target pass per batch. The white-box rMLE attacker also has f_edge's weights
        and optimises an image to reproduce Z. OUT gets attack.json and one grid PNG per split (originals on the
        first row, reconstructions under them).
        """
    )

    @Option(help: "Checkpoint directory written by `gpz train`.")
    var checkpoint: String

    static let defaults = AttackConfig()

    @Option(help: "Splits: all, blocks (the block-level splits and the logits), or comma-separated indices or names (e.g. 1,2,block3).")
    var splits = defaults.splits

    @Option(help: "Attacker's data: sub (the fraction held out of target training; sub:F when F is that fraction) or cross:DATASET.")
    var aux = defaults.aux

    @Option(help: "Attacker: decoder and strong learn to invert; rmle optimises an image (white-box); prior maps Z into an image prior learned from the aux images, prior-whitebox refines that by optimising the prior's latent (white-box).")
    var attacker = defaults.attacker

    @Option(help: "The paper's representation enhancement of Z (key `defense`): an attacker-side stress test that cannot remove information from Z, not a defence.")
    var defense = defaults.defense

    @Option(help: "The most decoder training epochs over the aux data (early stopping may end sooner).")
    var epochs = defaults.epochs

    @Option(help: "Early stopping: epochs without a 0.5 % gain in validation MSE before a decoder stops and keeps its best weights.")
    var patience = defaults.patience

    @Option(help: "Share of the aux images held out (class-stratified) to decide early stopping.")
    var validation = defaults.validation

    @Option(help: "Decoder learning rate (Adam, β 0.5/0.999, AMSGrad, as the paper's code).")
    var lr = defaults.learningRate

    @Option(help: "Batch size.")
    var batch = defaults.batchSize

    @Option(help: "Evaluate on the private images (the test split) or the target's own training images.")
    var evaluateOn = defaults.evaluateOn

    @Option(help: "Evaluate on the first N class-interleaved images (default: all of them).")
    var evaluateLimit: Int?

    @Option(help: "Train the decoders on a class-stratified subset of N aux images (default: all of them).")
    var auxLimit: Int?

    @Flag(help: "Train one split per run (the paper code's way), re-running the target for each; for comparison.")
    var perSplit = false

    @Option(help: "The defender's Gaussian noise on Z, σ relative to each feature's spread on the target's training images (0: none); every attacker trains on its own noisy features, and accuracy as sent is the cloud's accuracy on noisy Z.")
    var noise = defaults.noise

    @Option(help: "Image prior of the prior attackers: KEY=VALUE pairs, e.g. latent=64,epochs=15,finetune=0.1 (the generator's learning rate as a share of --lr; 0 freezes it).")
    var prior = defaults.prior

    @Option(help: "rMLE and prior-whitebox: private images inverted per split.")
    var rmleImages = defaults.rmleImages

    @Option(help: "rMLE and prior-whitebox: optimisation steps.")
    var rmleIterations = defaults.rmleIterations

    @Option(help: "Seed of the aux order and the decoders' initialisation.")
    var seed = defaults.seed

    @Option(help: "MiB for the target's features of the aux images, computed once and reused by every epoch (0: recompute per batch).")
    var featureBankMib = defaults.featureBankMiB

    @Option(help: "Encoding of Z on the wire that the attacker observes: fp32, fp16 or int8 (as `gpz edge --encoding` sends it; int8 with one scale per sample).")
    var encoding = defaults.encoding

    @Option(help: "Output directory.")
    var out: String

    @Flag(help: "Print one JSON object (splits, attack) at the end.")
    var json = false

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try reportingErrors {
            try deviceOption.apply()
            let config = try self.config
            let directory = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var bar: ProgressBar?
            var stage = ""
            var study = AttackStudy(config: config, priorCache: directory.appendingPathComponent("priors"))
            let results = try study.run(checkpoint: URL(fileURLWithPath: checkpoint), out: directory) { p in
                if p.stage != stage || bar == nil {
                    stage = p.stage
                    bar = ProgressBar(p.stage, total: p.total, unit: "steps")
                }
                bar?.update(p.done, p.loss.map { [("loss", $0)] } ?? [])
            }
            if json {
                print(try jsonLine(results))
            } else {
                print("   #  name               MSE      ±std    PSNR    SSIM  cosine  epochs  re-id  grid")
                for s in results.splits {
                    let name = s.name.padding(toLength: 16, withPad: " ", startingAt: 0)
                    let epochs = s.training.map { "\($0.epochs)\($0.converged ? "" : "+")" } ?? "-"
                    let reid = s.reidentification.map { String(format: "%.2f", $0.worst.rate) } ?? "-"
                    print(String(format: "%4d  ", s.index) + name
                          + String(format: " %7.4f  %7.4f  %6.2f  %6.3f  %6.3f  ", s.mse, s.mseStd, s.psnr, s.ssim, s.cosine)
                          + epochs.padding(toLength: 8, withPad: " ", startingAt: 0)
                          + reid.padding(toLength: 7, withPad: " ", startingAt: 0) + (s.grid ?? ""))
                }
                print("epochs: the epochs trained; + marks a decoder cut at the maximum, still improving (not "
                      + "converged). re-id: top-1 re-identification among \(AttackStudy.reidentificationCandidates) "
                      + "same-class images (chance \(1.0 / Double(AttackStudy.reidentificationCandidates))).")
                if config.encoding != .fp32 || config.noise.sigma > 0 {
                    print("Z attacked as sent (\(config.encoding.rawValue), noise σ \(config.noise.sigma)); the cloud's accuracy on it: "
                          + results.splits.map { s in "\(s.name) " + (s.accuracyAsSent.map { String(format: "%.4f", $0) } ?? "-") }
                              .joined(separator: ", "))
                }
                print("results: \(directory.appendingPathComponent("attack.json").path)")
            }
        }
    }
}

extension AttackCommand {
    /// The attack's configuration, validated (errors name `attack.FIELD`, as in a scan file).
    var config: AttackConfig {
        get throws {
            var config = AttackConfig()
            config.splits = splits
            config.aux = aux
            config.attacker = attacker
            config.defense = defense
            config.epochs = epochs
            config.patience = patience
            config.validation = validation
            config.learningRate = lr
            config.batchSize = batch
            config.evaluateOn = evaluateOn
            config.evaluateLimit = evaluateLimit
            config.auxLimit = auxLimit
            config.schedule = perSplit ? .oneSplitPerRun : Self.defaults.schedule
            config.rmleImages = rmleImages
            config.rmleIterations = rmleIterations
            config.seed = seed
            config.featureBankMiB = featureBankMib
            config.encoding = encoding
            config.prior = prior
            config.noise = noise
            try AttackStudy(config: config).validate()
            return config
        }
    }
}

extension AttackerKind: ExpressibleByArgument {}
extension EvaluationSet: ExpressibleByArgument {}
extension DefenseKind: ExpressibleByArgument {}
extension NoiseLevel: ExpressibleByArgument {
    public init?(argument: String) {
        guard let sigma = Double(argument) else { return nil }
        self.init(sigma)
    }
}
extension ImagePriorSettings: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}
