import ArgumentParser
import Foundation
import GPZAnalysis
import GPZAttacks
import GPZConfig
import GPZData
import GPZModels
import GPZReport
import GPZScan
import GPZTraining

/// `gpz analyze`: per-split feature statistics of a trained target and the a-priori Golden Partition Zone.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "R_c², variance, effective dimension and entropy bounds at every split; the a-priori GPZ.",
        discussion: """
        By default the statistics are taken over a class-stratified sample of 5,000 of the target's own training
        images (the same images it was trained on, re-derived from the checkpoint's configuration and checked
        against its membership hash). Equations and rules: docs/analysis.md.
        """
    )

    @Option(help: "Checkpoint directory written by `gpz train`.")
    var checkpoint: String

    @Option(help: "Analyse another data set's training split instead (converted to the model's input).")
    var data: String?

    @Option(help: "Which images: train (the target's training role) or private (the attacked set).")
    var set: AnalysedSet = .train

    @Option(help: "Stratified sample size.")
    var sample = StratifiedSampler.defaultCount

    @Flag(help: "Use every image of the set instead of a sample.")
    var all = false

    @Option(help: "Class labels: true, or predicted (argmax of the logits, as the paper's code).")
    var labels = AnalysisSettings().labels

    @Option(help: "Candidate splits for the locator, comma-separated indices (default: all splits).")
    var candidates: String?

    @Option(help: "attack.json of `gpz attack` on this checkpoint: adds the post-hoc zone and its agreement.")
    var attack: String?

    @Option(help: "Post-hoc: the MSE at which reconstructions stop being high-fidelity.")
    var threshold = PostHocLocator.defaultThreshold

    @Flag(help: "Print one JSON object (splits, gpz_apriori, and with --attack gpz_posthoc, agreement).")
    var json = false

    /// The report with, when attack results are given, the post-hoc zone and each a-priori zone's agreement.
    struct Output: Encodable {
        let report: AnalysisReport
        let posthoc: PostHocZone?
        let agreement: [ZoneAgreement]?

        enum CodingKeys: String, CodingKey { case posthoc = "gpz_posthoc", agreement }

        func encode(to encoder: Encoder) throws {
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(posthoc, forKey: .posthoc)
            try container.encodeIfPresent(agreement, forKey: .agreement)
        }
    }

    enum AnalysedSet: String, ExpressibleByArgument { case train, `private` }

    func validate() throws {
        guard sample >= 1 else { throw ValidationError("--sample must be at least 1, got \(sample)") }
    }

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try reportingErrors {
            try deviceOption.apply()
            let directory = URL(fileURLWithPath: checkpoint)
            let (model, info) = try CheckpointStore.loadModel(directory)
            let roles = try rolesToAnalyse(info)
            let images = set == .train ? roles.train.images : roles.privateSet.images
            let candidateList = try candidates.map(parseCandidates)
            let count = all ? images.count : Swift.min(sample, images.count)
            let bar = ProgressBar("analyse \(model.splitPoints.count) splits", total: count, unit: "images")
            let statistics = try SplitAnalysisRunner.run(
                model: model, images: images, normalization: info.normalization, sampleCount: all ? nil : count,
                options: .init(labelSource: labels), onBatch: { done, _ in bar.update(done) })
            let report = try AnalysisReport(statistics: statistics, labels: labels, candidates: candidateList)
            var output = Output(report: report, posthoc: nil, agreement: nil)
            if let attack {
                let results = try attackResults(attack, architecture: info.model.architecture.rawValue)
                let posthoc = try PostHocLocator.locate(splits: results.splits.map(\.index),
                                                        mse: results.splits.map(\.mse), threshold: threshold)
                let criteria = [APrioriCriterion.meanRadius] + APrioriCriterion.allCases.filter { $0 != .meanRadius }
                let agreement = try zip([report.gpzApriori] + report.gpzAprioriVariants, criteria).map {
                    try ZoneAgreement(apriori: $0, posthoc: posthoc, statistics: statistics, criterion: $1)
                }
                output = Output(report: report, posthoc: posthoc, agreement: agreement)
            }
            if json {
                print(String(decoding: try ResultsJSON.encoder().encode(output), as: UTF8.self))
            } else {
                print(table(report, architecture: info.model.architecture.rawValue))
                if let posthoc = output.posthoc, let agreement = output.agreement {
                    print(posthocLines(posthoc, agreement))
                }
            }
        }
    }

    /// The roles of the checkpoint's own data (hash-checked), or of `--data` converted to the model's input.
    private func rolesToAnalyse(_ info: CheckpointInfo) throws -> Roles {
        guard let data else {
            let roles = try Roles.make(try Catalog.load(info.config.dataset), plan: info.config.splitPlan)
            guard roles.train.membershipHash == info.data.train.sha256 else {
                throw TrainingError("\(info.config.dataset): the training images no longer match the checkpoint's "
                                    + "membership hash \(info.data.train.sha256.prefix(12))…")
            }
            return roles
        }
        let plan = SplitPlan(seed: info.config.seed, privateSource: .train, side: info.model.imageSize,
                             channels: info.model.channels)
        let roles = try Roles.make(try Catalog.load(data), plan: plan)
        guard roles.classNames.count == info.model.classes else {
            throw TrainingError("\(data): \(roles.classNames.count) classes, the model has \(info.model.classes)")
        }
        return roles
    }

    private func attackResults(_ path: String, architecture: String) throws -> AttackResults {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TrainingError("\(path): cannot read attack results (\(error.localizedDescription))")
        }
        guard let results = try? JSONDecoder().decode(AttackResults.self, from: data) else {
            throw TrainingError("\(path): not an attack.json written by `gpz attack`")
        }
        guard results.architecture == architecture, !results.splits.isEmpty else {
            throw TrainingError("\(path): attacks a \(results.architecture) with \(results.splits.count) splits; "
                                + "the checkpoint is a \(architecture)")
        }
        return results
    }

    private func posthocLines(_ posthoc: PostHocZone, _ agreement: [ZoneAgreement]) -> String {
        let first = posthoc.firstAboveThreshold.map(String.init) ?? "none"
        let jump = posthoc.largestJumpSplit.map(String.init) ?? "none"
        var lines = ["post-hoc zone: first split with MSE ≥ \(posthoc.threshold): \(first); after the largest MSE jump: \(jump)"]
        for a in agreement {
            let rho = a.spearman.map { String(format: "%.2f", $0) } ?? "–"
            lines.append("agreement (\(a.score), a-priori first \(a.aprioriFirst)): same first split \(a.sameFirstSplit), "
                         + "distance \(a.distance.map(String.init) ?? "–"), within \(a.k): \(a.withinK), "
                         + "Spearman ρ(score, MSE) \(rho)")
        }
        return lines.joined(separator: "\n")
    }

    private func parseCandidates(_ text: String) throws -> [Int] {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw TrainingError("--candidates: empty; give comma-separated split indices")
        }
        return try text.split(separator: ",").map {
            guard let index = Int($0.trimmingCharacters(in: .whitespaces)) else {
                throw TrainingError("--candidates: '\($0)' is not a split index")
            }
            return index
        }
    }

    private func table(_ report: AnalysisReport, architecture: String) -> String {
        var lines = ["\(architecture): \(report.sampleCount) images, \(report.classes) classes, \(report.labels.rawValue) labels",
                     "   #  name               shape          d        σ²   mean R_c²   share  eff dim   h_global    h_class"]
        for split in report.splits {
            let s = split.statistics, b = split.bounds
            let shape = s.shape.map(String.init).joined(separator: "×")
            lines.append(String(format: "%4d  %@ %@ %7d %9.3g %11.4g %7.3f %8@ %10.4g %10.4g", s.index,
                                pad(s.name, 18), pad(shape, 14), s.dimension, s.sigma2, s.meanRadius,
                                s.intraClassShare, pad(s.effectiveDimension.map { String(format: "%.1f", $0) } ?? "–", 8),
                                b.global, b.classMixture))
        }
        for zone in [report.gpzApriori] + report.gpzAprioriVariants {
            lines.append("a-priori zone (\(zone.rule)): first split \(zone.first), range \(zone.range[0])…\(zone.range[1]); "
                         + zone.ruleDescription)
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

extension LabelSource: ExpressibleByArgument {}
