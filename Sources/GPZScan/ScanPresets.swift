import GPZAttacks
import GPZConfig
import GPZData
import GPZModels
import GPZTensor
import GPZTraining

/// The named plans of `gpz scan --preset NAME`, one case each, in the order `gpz scan --list-presets` shows
/// them. Measured wall times on a 2-core machine are in docs/benchmarks.md; docs/scan.md describes each preset.
public enum Preset: String, CaseIterable, Sendable, CustomStringConvertible {
    case quick, stability, targetSeeds = "target-seeds", prior, noise
    case fmnistCNN4 = "fmnist-cnn4", fmnistVGG16BN = "fmnist-vgg16bn", fmnistResNet18 = "fmnist-resnet18"
    case fmnistViT = "fmnist-vit"
    case paper64 = "paper-64", paper64CNN4 = "paper-64-cnn4", paper64VGG16BN = "paper-64-vgg16bn"
    case paper64ResNet18 = "paper-64-resnet18", paper64ViT = "paper-64-vit"
    case labelSmoothing = "label-smoothing", datatype, enhancement, depth
    case deepVGG16BN = "deep-vgg16bn", deepResNet18 = "deep-resnet18", deepVGG16BNLSPlus = "deep-vgg16bn-lsplus"
    case deepVGG16BNPrior = "deep-vgg16bn-prior", deepResNet18Prior = "deep-resnet18-prior"

    public var description: String { rawValue }

    /// The preset called `name`; an unknown name is a `ConfigError` on `--preset` listing them all.
    public init(named name: String) throws {
        guard let preset = Preset(rawValue: name) else {
            throw ConfigError(field: "--preset", "unknown preset '\(name)'; expected one of "
                              + Preset.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = preset
    }

    /// The preset's plan.
    public var plan: ScanPlan {
        get throws { try ScanPresets.plan(self) }
    }
}

/// The studies behind each `Preset`.
public enum ScanPresets {
    /// Preset names, in the order `gpz scan --list-presets` shows them.
    public static var names: [String] { Preset.allCases.map(\.rawValue) }

    /// The plan called `name`.
    public static func plan(_ name: String) throws -> ScanPlan {
        try plan(Preset(named: name))
    }

    /// The plan of `preset`.
    static func plan(_ preset: Preset) throws -> ScanPlan {
        let name = preset.rawValue
        switch preset {
        case .quick:
            return ScanPlan(name: name, description: "The demo: a narrow cnn4 on a Fashion-MNIST subset at 32 px, "
                            + "all splits attacked by learned decoders; about 8 minutes on 2 cores.", studies: [quick])
        case .stability:
            return ScanPlan(name: name, description: "The demo's study five times: decoder seeds 0, 1 and 2, and "
                            + "bootstrap seeds 1 and 2 of the analysis; the recommendation and the zone should not "
                            + "move. The studies share the target and every unit they have in common.",
                            studies: stability)
        case .targetSeeds:
            return ScanPlan(name: name, description: "The demo's study with targets trained from seeds 0-4 (seed 0 is "
                            + "the demo's own target; the seed also draws the data roles): the verdict, the zone and "
                            + "each split's leakage as distributions over retrained targets, not over resamples of one. About 35 minutes on 2 cores; with "
                            + "--targets naming the demo's targets folder, seed 0 is reused.", studies: targetSeedStudies)
        case .prior:
            return ScanPlan(name: name, description: "The image-prior attackers against the demo's target at every "
                            + "block split and the logits: the baseline decoder, the prior attacker and the white-box "
                            + "prior attacker, each trained to convergence (at most 30 epochs, one seed, no ladder: a "
                            + "measurement of attack strength, not a verdict that can protect). With --targets "
                            + "naming the demo's targets folder it reuses the demo's target.", studies: priorStudies)
        case .noise:
            return ScanPlan(name: name, description: "When no split protects: the defender's Gaussian noise on Z (σ "
                            + "0.5, 1 and 2 times each feature's spread) against the demo's target at block2, block4 "
                            + "and the logits, attacked by decoders that train on their own noisy features (to "
                            + "convergence, one seed, no ladder) and the cloud's accuracy on noisy Z: the "
                            + "privacy-utility frontier. With --targets naming the "
                            + "demo's targets folder it reuses the demo's target.", studies: noiseStudies)
        case .fmnistCNN4, .fmnistVGG16BN, .fmnistResNet18, .fmnistViT:
            let model = String(name.dropFirst("fmnist-".count))
            return ScanPlan(name: name, description: "\(model) on all of Fashion-MNIST at 32 px, full-size attack.",
                            studies: [try full(model, side: 32, name: name)])
        case .paper64:
            return ScanPlan(name: name, description: "cnn4, vgg16bn, resnet18 and vit on Fashion-MNIST at the paper's "
                            + "64 px.", studies: try ["cnn4", "vgg16bn", "resnet18", "vit"].map { try full($0, side: 64, name: $0) })
        case .paper64CNN4, .paper64VGG16BN, .paper64ResNet18, .paper64ViT:
            let model = String(name.dropFirst("paper-64-".count))
            return ScanPlan(name: name, description: "\(model) on Fashion-MNIST at the paper's 64 px.",
                            studies: [try full(model, side: 64, name: name)])
        case .labelSmoothing:
            return ScanPlan(name: name, description: "The same cnn4 trained with one-hot, LS+ (α 0.3) and LS− "
                            + "(α −0.05) targets: accuracy, mean R_c² per split, attack MSE per split, and mean R_c² "
                            + "after every epoch (the Neural Vortex).", studies: labelSmoothing)
        case .datatype:
            return ScanPlan(name: name, description: "Does the auxiliary data's type move the boundary? A Fashion-MNIST "
                            + "cnn4 attacked with its own held-out images and with MNIST digits, and an MNIST-5k cnn4 "
                            + "attacked with Fashion-MNIST.", studies: datatype)
        case .enhancement:
            return ScanPlan(name: name, description: "The paper's buffs as an attacker-side stress test on one target: "
                            + "the representation enhancement (dropout-concat), the stronger decoder at two learning "
                            + "rates and the two image-prior attackers against the baseline decoder, at block3, block4 "
                            + "and the logits; comparison.json "
                            + "judges each split by the strongest attacker (worst_case).", studies: enhancement)
        case .depth:
            return ScanPlan(name: name, description: "Does depth alone protect? A small ViT (patch 4, 64 patch tokens "
                            + "carried through all six blocks) attacked at every block and at the logits.",
                            studies: [depth])
        case .deepVGG16BN, .deepResNet18:
            let model = String(name.dropFirst("deep-".count))
            return ScanPlan(name: name, description: "Is there a protected split inside a deep network? \(model) on "
                            + "Fashion-MNIST at 32 px, attacked at every block-level split and the logits by the "
                            + "baseline decoder, the stronger decoder and rMLE. Sized for 2 cores "
                            + "(docs/benchmarks.md).", studies: try deep(model))
        case .deepVGG16BNLSPlus:
            return ScanPlan(name: name, description: "Does LS+ protect, or only shrink R_c²? deep-vgg16bn's baseline-"
                            + "decoder study against its one-hot target and against an LS+ (α 0.3) target. With --targets "
                            + "naming deep-vgg16bn's targets folder it reuses that one-hot target.",
                            studies: try deepLabels("vgg16bn"))
        case .deepVGG16BNPrior, .deepResNet18Prior:
            let model = String(name.dropFirst("deep-".count).dropLast("-prior".count))
            return ScanPlan(name: name, description: "The image-prior attackers inside \(model): deep-\(model)'s recipe "
                            + "and target (with --targets naming deep-\(model)'s targets folder it reuses that target) "
                            + "at its deepest block-level splits and the logits, black-box and white-box, beside the baseline "
                            + "decoder trained to convergence there. A plan of its "
                            + "own: the deep presets' 90 minutes leave no room for it.", studies: try deepPrior(model))
        }
    }

    /// The demo: the comparison presets' cnn4 (width 32, 24,000 images at 32 px), 4 epochs; decoders at most 5
    /// epochs on the 12,000 aux images (1,200 held out for early stopping) at every split, the logits included
    /// (the decision-level split, where the zone shows), evaluated on 2,000 test images; where that leaves a
    /// split open, decoder seeds 0–2 and the budget ladder, each to convergence. About 8 minutes on 2 cores
    /// (docs/benchmarks.md).
    static var quick: ScanConfig {
        var config = medium("quick")
        config.target.epochs = 4
        return config
    }

    /// A full-size study: every training image, 10 target epochs, decoders 10 epochs on all 12,000 aux images,
    /// evaluated on all 10,000 test images. Deep models are attacked at their stage boundaries.
    static func full(_ model: String, side: Int, name: String) throws -> ScanConfig {
        var config = ScanConfig(name: name)
        config.target.imageSize = side
        config.target.architecture = try Architecture(named: model)
        config.target.epochs = model == "cnn4" ? 10 : 20
        config.attack.splits = stageSplits[model] ?? .all
        return config
    }

    /// Split names where deep models change resolution or stage (the attack targets), by architecture.
    static let stageSplits: [String: SplitSelection] = [
        "vgg16bn": "pool1,pool2,pool3,conv4_1.relu,pool4,conv5_3.relu,pool5,logits",
        "resnet18": "layer1.1,layer2.1,layer3.1,layer4.0,layer4.1,pool,logits",
    ]

    /// `quick` with decoder seeds 0, 1, 2 and bootstrap seeds 1, 2.
    static var stability: [ScanConfig] {
        [("decoder-seed-0", 0, 0), ("decoder-seed-1", 1, 0), ("decoder-seed-2", 2, 0), ("resample-1", 0, 1),
         ("resample-2", 0, 2)].map { name, seed, resample in
            var config = quick
            config.name = name
            config.attack.seed = UInt64(seed)
            config.analysis.bootstrapSeed = UInt64(resample)
            return config
        }
    }

    static var labelSmoothing: [ScanConfig] {
        [("one-hot", LabelScheme.oneHot), ("ls-plus", .smoothed(0.3)), ("ls-minus", .smoothed(-0.05))].map { name, labels in
            var config = medium(name)
            config.target.labels = labels
            config.analysis.perEpoch = true
            return config
        }
    }

    static var datatype: [ScanConfig] {
        var sub = medium("fmnist-aux-sub")
        sub.attack.aux = .sub(nil)
        var cross = medium("fmnist-aux-mnist")
        cross.attack.aux = .cross("mnist-5k")
        var digits = medium("mnist-aux-fmnist")
        digits.target.dataset = "mnist-5k"
        digits.target.privateSource = .train
        digits.target.trainLimit = nil
        digits.target.epochs = 10
        digits.attack.aux = .cross("fashion-mnist")
        digits.attack.auxLimit = 12_000
        return [sub, cross, digits]
    }

    /// The paper's ablation (method §4.2) as an attacker-side stress test, sized for 2 cores: the baseline decoder,
    /// the representation enhancement (dropout-concat), the stronger decoder at the paper-code learning rate
    /// 0.01 and at 0.001, and the two image-prior attackers (the prior trained on the same aux images), attacking the last two blocks and the logits with 6,000 aux images for 3 epochs.
    static var enhancement: [ScanConfig] {
        let attackers: [(String, AttackerKind, DefenseKind, Double)] = [
            ("baseline", .decoder, .none, 0.01), ("dropout-concat", .decoder, .dropoutConcat, 0.01),
            ("strong-lr-0.01", .strong, .none, 0.01), ("strong-lr-0.001", .strong, .none, 0.001),
            ("prior", .prior, .none, 0.01), ("prior-whitebox", .priorWhitebox, .none, 0.01),
        ]
        return attackers.map { name, attacker, defense, lr in
            var config = medium(name)
            config.attack.attacker = attacker
            config.attack.defense = defense
            config.attack.learningRate = lr
            config.attack.splits = "block3,block4,logits"
            config.attack.auxLimit = 6_000
            config.attack.epochs = 3
            config.attack.seeds = 1
            return config
        }
    }

    /// The paper's ViT (width 128, depth 6, patch 4) at 32 px on 6,000 images, 3 epochs; decoders 3 epochs on
    /// 6,000 aux images at its seven splits, evaluated on 1,000 test images. Small because the ViT trains about 20×
    /// slower than the width-32 cnn4 on a 2-core CPU (≈ 70 against ≈ 1,200 images/s, docs/benchmarks.md).
    static var depth: ScanConfig {
        var config = ScanConfig(name: "depth-vit")
        config.target.architecture = .vit
        config.target.epochs = 3
        config.target.trainLimit = 6_000
        config.analysis.sample = 2_000
        config.attack.epochs = 3
        config.attack.auxLimit = 6_000
        config.attack.evaluateLimit = 1_000
        return config
    }

    /// The deep-network question (a protected split inside VGG / ResNet?) at a 2-core size: the target at 32 px
    /// for 3 epochs of SGD (momentum 0.9, lr 0.05 × 0.3 per epoch) on all 48,000 training images; statistics on
    /// 2,000 images; every block-level split and the logits attacked, evaluated on 500 test images. The first run:
    /// the baseline decoder with 3,000 aux images (10 % held out for early stopping) for at most 3 epochs, the
    /// stronger decoder (lr 0.001) for at most 2, rMLE on 8 images for 200 iterations. Where that leaves a split
    /// open: the baseline decoder with 3 seeds and the ladder (¼, ½ of its data), each to convergence within 30
    /// epochs; the stronger decoder, about six times as slow per epoch, once, to convergence within 15 epochs and
    /// without a ladder (where it is the strongest attacker, the split is therefore inconclusive at best); rMLE
    /// with 3 seeds. The three attackers share the one-hot target. Why this recipe, and what it reaches:
    /// docs/reproducing-the-paper.md §7.
    static func deep(_ model: String) throws -> [ScanConfig] {
        func study(_ name: String, attacker: AttackerKind) throws -> ScanConfig {
            var config = ScanConfig(name: name)
            config.target.architecture = try Architecture(named: model)
            config.target.imageSize = 32
            config.target.optimizer = .sgd
            config.target.learningRate = 0.05
            config.target.learningRateDecay = 0.3
            config.target.epochs = 3
            config.analysis.sample = 2_000
            config.attack.splits = "blocks"
            config.attack.attacker = attacker
            config.attack.learningRate = attacker == .strong ? 0.001 : 0.01
            config.attack.epochs = attacker == .strong ? 2 : 3
            config.attack.auxLimit = 3_000
            config.attack.evaluateLimit = 500
            config.attack.rmleImages = 8
            config.attack.rmleIterations = 200
            config.attack.seeds = attacker == .strong ? 1 : 3
            config.attack.ladder = attacker == .strong ? [] : [0.25, 0.5]
            config.attack.escalationEpochs = attacker == .strong ? 15 : 30
            return config
        }
        return [try study("onehot-decoder", attacker: .decoder), try study("onehot-strong", attacker: .strong),
                try study("onehot-rmle", attacker: .rmle)]
    }

    /// `deep(model)`'s baseline-decoder study against the one-hot target and against an LS+ (α 0.3) target: the
    /// same recipe, only the labels differ. A plan of its own so that each deep preset fits about 90 minutes.
    static func deepLabels(_ model: String) throws -> [ScanConfig] {
        var lsPlus = try deep(model)[0]
        lsPlus.name = "lsplus-decoder"
        lsPlus.target.labels = .smoothed(0.3)
        return [try deep(model)[0], lsPlus]
    }

    /// `target-seeds`: `quick` with `target.seed` 0…4. The seed draws the target's initial weights, batch order and
    /// augmentation and also the data roles (which images train the target, which are the attacker's), so each study
    /// is a fresh draw of the whole experiment, not a resample of one target.
    static var targetSeedStudies: [ScanConfig] {
        (0..<5).map { seed in
            var config = quick
            config.name = "target-seed-\(seed)"
            config.target.seed = UInt64(seed)
            return config
        }
    }

    /// `prior`: the demo's target and data; at every block split and the logits the baseline decoder, the prior
    /// attacker and the white-box prior attacker (16 private images, 300 steps), each on 3,000 of the aux images
    /// (2,700 after the validation hold-out; the prior is trained on the same 2,700) to convergence within 30
    /// epochs, one seed, no ladder. Sized for 2 cores: about half an hour (docs/benchmarks.md).
    static var priorStudies: [ScanConfig] {
        [("decoder", AttackerKind.decoder), ("prior", .prior), ("prior-whitebox", .priorWhitebox)].map { name, attacker in
            var config = quick
            config.name = name
            config.attack.attacker = attacker
            config.attack.splits = "blocks"
            config.attack.auxLimit = 3_000
            return converged(config)
        }
    }

    /// `config` with its attack trained to convergence within 30 epochs, one seed, no ladder: a measurement of an
    /// attacker's strength that fits 2 cores, not a verdict that can protect (`prior`, `noise`, `deep-*-prior`).
    static func converged(_ config: ScanConfig) -> ScanConfig {
        var config = config
        config.attack.epochs = 30
        config.attack.escalationEpochs = 30
        config.attack.seeds = 1
        config.attack.ladder = []
        return config
    }

    /// `noise`: the demo's target and data, the baseline decoder at block2, block4 and the logits on 3,000 aux images
    /// (as `prior`, whose decoder study is σ = 0) against the defender's noise σ ∈ {0.5, 1, 2}, to convergence
    /// within 30 epochs, one seed, no ladder (sized for 2 cores: the frontier of leakage and accuracy, where a split
    /// can be inconclusive at best; a scan file with `seeds: 3` and the default ladder judges a σ with the full rule).
    static var noiseStudies: [ScanConfig] {
        [0.5, 1.0, 2.0].map { sigma in
            var config = quick
            config.name = "noise-\(sigma)"
            config.attack.noise = NoiseLevel(sigma)
            config.attack.splits = "block2,block4,logits"
            config.attack.auxLimit = 3_000
            return converged(config)
        }
    }

    /// The deepest block-level splits and the logits of each deep architecture: where a direct decoder regresses to
    /// the class mean and an image prior could still reconstruct.
    static let deepSplits: [String: SplitSelection] = [
        "vgg16bn": "conv4_3.relu,pool4,conv5_1.relu,pool5,logits",
        "resnet18": "layer3.1,layer4.0,layer4.1,pool,logits",
    ]

    /// `deep(model)`'s baseline-decoder recipe (its target and aux data) with the baseline decoder, the prior attacker
    /// and the white-box prior attacker (rMLE's 8 images and 200 steps) at `deepSplits`, each `converged`.
    static func deepPrior(_ model: String) throws -> [ScanConfig] {
        try [("onehot-decoder-converged", AttackerKind.decoder), ("onehot-prior", .prior),
             ("onehot-prior-whitebox", .priorWhitebox)].map { name, attacker in
            var config = try deep(model)[0]
            config.name = name
            config.attack.attacker = attacker
            config.attack.splits = deepSplits[model] ?? .all
            return converged(config)
        }
    }

    /// The comparison presets' study: cnn4 (width 32) on 24,000 Fashion-MNIST images at 32 px, 5 epochs;
    /// decoders 5 epochs on all 12,000 aux images at every split (the four blocks and the logits), evaluated on
    /// 2,000 test images.
    static func medium(_ name: String) -> ScanConfig {
        var config = ScanConfig(name: name)
        config.target.cnn4Width = 32
        config.target.epochs = 5
        config.target.trainLimit = 24_000
        config.analysis.sample = 3_000
        config.attack.epochs = 5
        config.attack.evaluateLimit = 2_000
        return config
    }
}
