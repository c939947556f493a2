import Foundation
import GPZAnalysis
@testable import GPZAttacks
import GPZConfig
import GPZData
import GPZModels
@testable import GPZReport
@testable import GPZScan
import GPZTensor
import GPZTraining
import XCTest

/// A realistic scan of cnn4 on Fashion-MNIST at 32 px (the numbers of docs/results-fashion-mnist.md where they
/// exist), with small synthetic reconstruction grids. The verdict parts (zone, leakage, recommendation, headline,
/// paper comparisons) are computed by the library's own functions from the per-split numbers, so they agree with
/// each other as a real scan's do.
enum ReportFixture {
    /// The verdict the cnn4 fixture's attack outcomes lead to.
    enum Outcome {
        /// block4 protects (seeds at block3 and block4): recommended split block4.
        case partition
        /// Every block leaks, the logits protect (seeds at block4 and the logits).
        case noPartition
        /// Every split leaks, the logits included.
        case none
    }

    /// The class-mean oracle's MSE on the 32-px Fashion-MNIST test set (issue 13), and the global-mean image's.
    static let classMeanMSE = 0.0436
    static let globalMeanMSE = 0.0871

    /// cnn4's splits; `zoneVotesForBlock3` of the 30 bootstrap replicates select block3 instead of block4.
    static func cnn4(writingGridsTo runDirectory: URL, outcome: Outcome = .partition,
                     zoneVotesForBlock3: Int = 3) throws -> ScanResults {
        let names = ["block1", "block2", "block3", "block4", "logits"]
        let shapes = [[64, 16, 16], [128, 8, 8], [256, 4, 4], [512, 2, 2], [10]]
        let r2c = [3715.8, 1256.9, 412.8, 140.4, 26.0]
        let share = [0.735, 0.711, 0.642, 0.292, 0.107]
        let params = [768, 74_880, 370_560, 1_551_744, 1_654_704]
        let macs = [589_824, 19_464_192, 38_338_560, 57_212_928, 57_315_828]
        let ssim = [0.845, 0.786, 0.711, 0.559, 0.401]
        let cosine = [0.986, 0.978, 0.961, 0.926, 0.892]
        let mse: [Double]
        let seeds: [Int: [Double]]
        switch outcome {
        case .partition:
            mse = [0.0039, 0.0060, 0.0102, 0.0415, 0.0440]
            seeds = [4: [0.0420, 0.0410], 5: [0.0445, 0.0442]]
        case .noPartition:
            mse = [0.0039, 0.0060, 0.0102, 0.0219, 0.0440]
            seeds = [5: [0.0445, 0.0435]]
        case .none:
            mse = [0.0039, 0.0060, 0.0102, 0.0219, 0.0310]
            seeds = [:]  // the logits' first seed leaks 0.29 > τ: settled, not replicated
        }
        // 30 resamples: the share jitters by ±1 % (the block3 → block4 drop stays the largest), except in
        // `zoneVotesForBlock3` of them, where block3's share falls to just above block4's.
        let replicates = (0..<4).map { position in
            (0..<30).map { b -> Double in
                if b < zoneVotesForBlock3 && position == 2 { return 0.30 }
                return share[position] * (1 + 0.01 * sin(Double(7 * b + position)))
            }
        }
        let specs = (0..<5).map { i in
            SplitSpec(name: names[i], shape: shapes[i], meanRadius: r2c[i], share: share[i], edgeParams: params[i],
                      edgeMacs: macs[i], mse: mse[i], ssim: ssim[i], cosine: cosine[i])
        }
        let history = [0.812, 0.853, 0.869, 0.882, 0.889, 0.896, 0.901, 0.905, 0.909, 0.912]
        let perEpoch = history.enumerated().map { epoch, accuracy in
            ScanEpochStatistics(epoch: epoch + 1, testAccuracy: accuracy,
                                r2cMean: r2c.enumerated().map { position, value in
                                    value * (1 + Double(position + 1) * 0.5 * exp(-Double(epoch) / 2.5))
                                }, intraShare: share)
        }
        return try assemble(name: "fmnist-cnn4", architecture: "cnn4", specs: specs, candidates: [1, 2, 3, 4],
                            zoneReplicates: replicates, seedMSE: seeds, history: history, perEpoch: perEpoch,
                            runDirectory: runDirectory)
    }

    /// One split's numbers; `mse` nil where it was not attacked.
    struct SplitSpec {
        var name: String
        var shape: [Int]
        var meanRadius: Double
        var share: Double
        var edgeParams: Int
        var edgeMacs: Int
        var mse: Double?
        var ssim = 0.5
        var cosine = 0.9
    }

    /// The results of a scan with these splits (indices 1…n in order): statistics, bounds and cost per split, the
    /// first-seed attack where `mse` is given, the extra decoder seeds `seedMSE` (split index → MSEs of the seeds
    /// after the first, exactly at the splits `LeakageBoundary.replicateSplits` picks), and everything the
    /// verdict derives from them.
    static func assemble(name: String, architecture: String, specs: [SplitSpec], candidates: [Int],
                         zoneReplicates: [[Double]], seedMSE: [Int: [Double]], history: [Double],
                         perEpoch: [ScanEpochStatistics]?, runDirectory: URL) throws -> ScanResults {
        var config = ScanConfig(name: name)
        config.target.epochs = history.count
        config.attack.epochs = 5
        config.attack.seeds = 1 + (seedMSE.values.first?.count ?? 0)
        let threshold = config.leakageThreshold
        try FileManager.default.createDirectory(at: runDirectory.appendingPathComponent("grids"),
                                                withIntermediateDirectories: true)
        let total = specs.last?.edgeParams ?? 1
        var statistics: [SplitStatistics] = [], costs: [SplitCost] = [], attacks: [Int: SplitAttackResult] = [:]
        for (position, spec) in specs.enumerated() {
            let index = position + 1
            statistics.append(try self.statistics(index: index, name: spec.name, shape: spec.shape,
                                                  meanRadius: spec.meanRadius, share: spec.share))
            costs.append(SplitCost(split: SplitPoint(index: index, name: spec.name, shape: spec.shape,
                                                     kind: SplitKind(perSampleShape: spec.shape)),
                                   edgeParameters: spec.edgeParams,
                                   parameterShare: Double(spec.edgeParams) / Double(total), edgeMACs: spec.edgeMacs))
            guard let mse = spec.mse else { continue }
            let grid = "grids/decoder-\(index)-\(spec.name).png"
            try SyntheticGrid.write(blur: 1 + position * 5 / specs.count, to: runDirectory.appendingPathComponent(grid))
            attacks[index] = SplitAttackResult(name: spec.name, index: index, shape: spec.shape, mse: mse,
                                               mseSumChannels: mse, psnr: -10 * log10(mse), ssim: spec.ssim,
                                               cosine: spec.cosine, mseStd: 0.5 * mse, psnrStd: 1.5, ssimStd: 0.1,
                                               images: 10_000, accuracyWithDefense: nil, grid: grid)
        }
        let attacked = attacks.values.sorted { $0.index < $1.index }
        func outcomes(_ mse: (SplitAttackResult) -> [Double]) -> [(index: Int, name: String, candidate: Bool,
                                                                    isLogits: Bool, mse: [String: [Double]])] {
            attacked.map { (index: $0.index, name: $0.name, candidate: candidates.contains($0.index),
                            isLogits: $0.name == SplitPoint.logitsName, mse: ["decoder": mse($0)]) }
        }
        // The scan replicates the seeds where the first seed's verdict could flip; the fixture's seeds must be there.
        let single = try LeakageBoundary(outcomes: outcomes { [$0.mse] }, classMeanMSE: classMeanMSE, threshold: threshold)
        let replicated = LeakageBoundary.replicateSplits(single.splits, threshold: threshold)
        precondition(seedMSE.isEmpty || replicated == seedMSE.keys.sorted(),
                     "the fixture's seeds are at \(seedMSE.keys.sorted()), the scan replicates \(replicated)")
        let leakage = attacked.isEmpty ? nil
            : try LeakageBoundary(outcomes: outcomes { [$0.mse] + (seedMSE[$0.index] ?? []) },
                                  classMeanMSE: classMeanMSE, threshold: threshold)
        let names = candidates.map { specs[$0 - 1].name }
        let zone = try StableZoneLocator.locate(criterion: .intraClassShare, candidates: candidates, names: names,
                                                values: candidates.map { specs[$0 - 1].share },
                                                replicates: zoneReplicates)
        let splits = zip(statistics, costs).map { s, cost in
            let attack = attacks[s.index]
            return ScanSplit(statistics: s, bounds: EntropyBounds(s), cost: cost, attack: attack,
                             leakage: leakage?.splits.first { $0.index == s.index },
                             candidate: candidates.contains(s.index),
                             paperThresholdProtects: attack.map { $0.mseSumChannels >= config.privacyThreshold })
        }
        let paperRule = try APrioriLocator.locate(.meanRadius, candidates: candidates,
                                                  values: candidates.map { specs[$0 - 1].meanRadius })
        let paperThreshold = attacked.isEmpty ? nil
            : try PostHocLocator.locate(splits: attacked.map(\.index), mse: attacked.map(\.mseSumChannels),
                                        threshold: config.privacyThreshold)
        let accuracy = history.max() ?? 0
        return ScanResults(
            name: name, config: config, configHash: try config.hash,
            target: ScanTarget(architecture: architecture, checkpoint: "target", trainingHash: try config.target.hash,
                               inputShape: [1, 32, 32], parameters: total, epochs: history.count,
                               weightsEpoch: history.count, testAccuracy: accuracy, lastAccuracy: history.last ?? 0,
                               trainImages: 48_000, trainSha256: String(repeating: "ab", count: 32),
                               privateImages: 10_000, history: history),
            analysis: ScanAnalysis(images: 5_000, classes: 10, labels: .truth, analysisHash: try config.analysisHash),
            attack: ScanAttack(attacker: "decoder", defense: "none", auxSource: "sub", auxImages: 12_000,
                               auxSha256: String(repeating: "cd", count: 32), evaluatedImages: 10_000, epochs: 5,
                               attackHash: try config.attackHash,
                               seeds: (0..<UInt64(config.attack.seeds)).map { config.attack.seed &+ $0 },
                               replicatedSplits: seedMSE.keys.sorted(), patience: config.attack.patience,
                               validationImages: 1_200, ladder: config.attack.ladder,
                               escalationEpochs: config.attack.escalationEpochs),
            baselines: attacked.isEmpty ? nil
                : ReconstructionBaselines(images: 10_000, channels: 1, globalMeanMSE: globalMeanMSE,
                                          classMeanMSE: classMeanMSE),
            splits: splits,
            zones: ScanZones(zone: zone, paperRule: paperRule, leakage: leakage, paperThreshold: paperThreshold),
            recommendation: ScanVerdict.recommend(splits: splits, zone: zone, leakage: leakage, threshold: threshold),
            headline: ScanHeadline(verdict: try leakage.map { try VerdictHeadline(zone: zone, leakage: $0) },
                                   testAccuracy: accuracy),
            perEpoch: perEpoch,
            timing: ["train": 812.4, "analysis": 28.9, "attack": 274.0, "report": 0.31])
    }

    /// Statistics of ten equally frequent classes (500 images each) whose radii are 0.6, 1.5 and 0.9875 times
    /// `meanRadius`, with tr Σ = meanRadius / share (so the intra-class share is `share`). `SplitStatistics` is
    /// built from measurements only, so the fixture decodes it.
    static func statistics(index: Int, name: String, shape: [Int], meanRadius r: Double,
                           share: Double) throws -> SplitStatistics {
        let d = shape.reduce(1, *)
        let radii = [0.6 * r, 1.5 * r] + Array(repeating: 0.9875 * r, count: 8)
        let totalVariance = r / share
        let object: [String: Any] = [
            "index": index, "name": name, "shape": shape, "d": d, "n": 5_000,
            "class_counts": Array(repeating: 500, count: 10), "r2c": radii, "missing_classes": [Int](),
            "r2c_mean": r, "r2c_min": 0.6 * r, "r2c_max": 1.5 * r, "total_variance": totalVariance,
            "sigma2": totalVariance / Double(d), "intra_share": share, "eff_dim": 20.0, "eff_dim_rows": 512,
        ]
        return try ResultsJSON.decoder().decode(SplitStatistics.self, from: JSONSerialization.data(withJSONObject: object))
    }

    /// `value` with some of its JSON fields replaced (non-finite numbers as "inf", "-inf", "nan"): how the tests
    /// change the immutable result structs.
    static func recoded<T: Codable>(_ value: T, _ fields: [String: Any]) throws -> T {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: ResultsJSON.encoder().encode(value)) as? [String: Any])
        object.merge(fields) { $1 }
        return try ResultsJSON.decoder().decode(T.self, from: JSONSerialization.data(withJSONObject: object))
    }
}

extension ReportFixture {
    /// vgg16bn's splits with VGG-style names, the block outputs (`.relu`, `pool`) as candidates, attacked at every
    /// third candidate and the logits.
    static func vgg16(writingGridsTo runDirectory: URL) throws -> ScanResults {
        var names: [String] = []
        for (block, convs) in [2, 2, 3, 3, 3].enumerated() {
            for conv in 1...convs {
                names += ["conv\(block + 1)_\(conv)", "conv\(block + 1)_\(conv).bn", "conv\(block + 1)_\(conv).relu"]
            }
            names.append("pool\(block + 1)")
        }
        names += ["fc1", "logits"]
        let candidates = names.indices.filter { names[$0].hasSuffix(".relu") || names[$0].hasPrefix("pool") }
            .map { $0 + 1 }
        let attacked = Set(candidates.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) + [names.count])
        let specs = names.enumerated().map { position, name -> SplitSpec in
            let depth = Double(position) / Double(names.count - 1)
            return SplitSpec(name: name, shape: name == "logits" ? [10] : [64, 8, 8],
                             meanRadius: 4_000 * pow(0.85, Double(position)), share: 0.75 - 0.6 * depth * depth,
                             edgeParams: 1_000 * (position + 1), edgeMacs: 1_000_000 * (position + 1) * (position + 1),
                             mse: attacked.contains(position + 1) ? 0.004 + 0.05 * depth * depth : nil)
        }
        // One seed: the leakage of the first decoder seed decides.
        let results = try assemble(name: "cifar10-vgg16bn", architecture: "vgg16bn", specs: specs,
                                   candidates: candidates, zoneReplicates: [], seedMSE: [:],
                                   history: [0.5, 0.7, 0.8, 0.85], perEpoch: nil, runDirectory: runDirectory)
        var withEpochs = results
        withEpochs.perEpoch = (1...4).map { epoch in
            ScanEpochStatistics(epoch: epoch, testAccuracy: results.target.history[epoch - 1],
                                r2cMean: results.splits.map { $0.r2cMean * (1 + 2 * exp(-Double(epoch) / 3)) },
                                intraShare: results.splits.map(\.intraShare))
        }
        return withEpochs
    }
}

/// A grid like the attack's: eight 28-pixel images with 2-pixel gaps, originals on top and reconstructions (the
/// originals box-blurred `blur` times, a little darker) below.
enum SyntheticGrid {
    static func write(blur: Int, to url: URL) throws {
        let side = 28, gap = 2, count = 8
        let width = count * side + (count + 1) * gap, height = 2 * side + 3 * gap
        var pixels = [UInt8](repeating: 0, count: width * height)
        for k in 0..<count {
            let original = shape(k, side: side)
            var reconstruction = original
            for _ in 0..<blur { reconstruction = boxBlur(reconstruction, side: side) }
            for y in 0..<side {
                for x in 0..<side {
                    let column = gap + k * (side + gap) + x
                    pixels[(gap + y) * width + column] = UInt8(original[y * side + x] * 255)
                    pixels[(2 * gap + side + y) * width + column] = UInt8(reconstruction[y * side + x] * 230)
                }
            }
        }
        try ImageCodec.writePNG(pixels, channels: 1, height: height, width: width, to: url.path)
    }

    /// Class k's silhouette: an ellipse, a bar, a ring or a frame of varying size.
    private static func shape(_ k: Int, side: Int) -> [Double] {
        let c = Double(side - 1) / 2
        return (0..<(side * side)).map { p in
            let dx = (Double(p % side) - c) / c, dy = (Double(p / side) - c) / c
            switch k % 4 {
            case 0: return dx * dx / 0.5 + dy * dy / 0.8 < 1 ? 1 : 0
            case 1: return Swift.abs(dx) < 0.25 + Double(k) * 0.05 && Swift.abs(dy) < 0.9 ? 1 : 0
            case 2: let r = dx * dx + dy * dy; return r < 0.7 && r > 0.25 ? 1 : 0
            default: let r = Swift.max(Swift.abs(dx), Swift.abs(dy)); return r < 0.8 && r > 0.45 ? 0.8 : 0.1
            }
        }
    }

    private static func boxBlur(_ image: [Double], side: Int) -> [Double] {
        (0..<(side * side)).map { p in
            let x = p % side, y = p / side
            var sum = 0.0, n = 0.0
            for dy in -1...1 {
                for dx in -1...1 where (0..<side).contains(x + dx) && (0..<side).contains(y + dy) {
                    sum += image[(y + dy) * side + x + dx]
                    n += 1
                }
            }
            return sum / n
        }
    }
}
