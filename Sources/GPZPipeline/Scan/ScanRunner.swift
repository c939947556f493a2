import Foundation
import GPZAnalysis
import GPZData
import GPZModels
import GPZTraining

/// What a scan reports while it runs: the start of a stage, progress within it, or a line of context.
public enum ScanEvent {
    case stage(String)
    case progress(stage: String, done: Int, total: Int, values: [(String, Double)])
    case note(String)
}

/// `gpz scan` for one study: data → target (trained, or continued/reused from the checkpoint with the same
/// training hash) → statistics at every split → a-priori zone → attack at the chosen splits → post-hoc zone →
/// agreement → split costs → recommendation → `results.json`, `results.csv`, `report.html`.
///
/// Run directory layout: `scan.sqlite` (the finished units, see `ScanStore`), `config.json` (the study as run),
/// `targets/<hash>-e<epochs>/` (the target checkpoint), `grids/` (one PNG per attacked split) and the three
/// result files. Running the same study again on the same directory skips every finished unit; the result files
/// are then identical, apart from `timing`.
public struct ScanRunner {
    public let config: ScanConfig
    public let directory: URL
    /// Where the store and the target checkpoints live: the run directory itself, or a plan's directory so that
    /// studies with the same target train it once.
    public let shared: URL
    /// Where target checkpoints live (`shared/targets` unless given): point several plans at one folder to train
    /// each target once.
    public let targets: URL

    public init(config: ScanConfig, directory: URL, shared: URL? = nil, targets: URL? = nil) {
        self.config = config
        self.directory = directory
        self.shared = shared ?? directory
        self.targets = targets ?? (shared ?? directory).appendingPathComponent("targets")
    }

    public static func resultsURL(_ directory: URL) -> URL { directory.appendingPathComponent("results.json") }

    public func run(events: @escaping (ScanEvent) -> Void = { _ in }) throws -> ScanResults {
        try config.validate()
        let clock = Date()
        var timing: [String: Double] = [:]
        func timed<T>(_ stage: String, _ body: () throws -> T) rethrows -> T {
            let started = Date()
            defer { timing[stage] = Date().timeIntervalSince(started) }
            return try body()
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try ScanJSON.encoder().encode(config).write(to: directory.appendingPathComponent("config.json"), options: .atomic)
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        let store = try ScanStore(url: shared.appendingPathComponent("scan.sqlite"))
        let trainer = try TargetTrainer(config: config.target, dataset: try Catalog.load(config.target.dataset))
        try checkSplits(trainer)
        let checkpoint = try timed("train") { try train(trainer, store: store, events: events) }
        let (model, info) = try CheckpointStore.loadModel(checkpoint)
        let statistics = try timed("analysis") { try analyse(model, trainer: trainer, store: store, events: events) }
        let report = try AnalysisReport(statistics: statistics, labels: config.analysis.labels)
        let study = AttackStudy(config: config.attack)
        let data = try AttackData(info: info, config: config.attack)
        let attacks = try timed("attack") { try attack(study, model: model, info: info, data: data, store: store, events: events) }
        let costs = try SplitCost.all(for: model)
        let splits = rows(statistics: statistics, bounds: report.splits.map(\.bounds), attacks: attacks, costs: costs)
        let zones = try self.zones(report: report, statistics: statistics, attacks: attacks)
        timing["total"] = Date().timeIntervalSince(clock)
        let results = ScanResults(
            name: config.name, config: config, configHash: try config.hash,
            target: target(info, trainer: trainer, checkpoint: checkpoint, parameters: costs.last?.edgeParameters ?? 0),
            analysis: ScanAnalysis(images: statistics.first?.sampleCount ?? 0, classes: report.classes,
                                   labels: config.analysis.labels, analysisHash: try config.analysisHash),
            attack: ScanAttack(attacker: config.attack.attacker.rawValue, defense: config.attack.defense.rawValue,
                               auxSource: data.aux.source, auxImages: data.aux.count, auxSha256: data.aux.membershipHash,
                               evaluatedImages: attacks.first?.images ?? 0, epochs: config.attack.epochs,
                               attackHash: try config.attackHash),
            splits: splits, gpz: zones,
            recommendation: ScanVerdict.recommend(splits: splits, apriori: report.gpzApriori,
                                                  threshold: config.privacyThreshold),
            headline: ScanVerdict.headline(splits: splits, apriori: report.gpzApriori, testAccuracy: info.bestAccuracy),
            perEpoch: config.analysis.perEpoch ? try epochCurves(store: store) : nil,
            timing: timing)
        try ScanJSON.encoder().encode(results).write(to: Self.resultsURL(directory), options: .atomic)
        try ResultsCSV.write(results, to: directory.appendingPathComponent("results.csv"))
        try ScanReport.write(results, runDirectory: directory)
        return results
    }

    /// The split names of `attack.splits` must exist in the model: checked before any training.
    private func checkSplits(_ trainer: TargetTrainer) throws {
        let model = try ModelFactory.make(trainer.modelConfig)
        do {
            _ = try AttackStudy(config: config.attack).selectedSplits(model)
        } catch let error as ModelError {
            throw ConfigError(field: "attack.splits", error.message)
        } catch let error as TrainingError {
            throw ConfigError(field: "attack.splits", error.message)
        }
    }

    private var checkpointName: String {
        get throws { "\((try config.target.hash).prefix(16))-e\(config.target.epochs)" }
    }

    /// Trains the target to `target.epochs`, continuing its checkpoint when there is one; records each epoch.
    private func train(_ trainer: TargetTrainer, store: ScanStore, events: @escaping (ScanEvent) -> Void) throws -> URL {
        let checkpoint = targets.appendingPathComponent(try checkpointName)
        let existing = try CheckpointStore.readInfo(checkpoint)
        let hash = try config.target.hash
        if let existing {
            try store.record(existing.history.map { (key: String($0.epoch), value: $0) }, hash: hash, kind: .trainEpoch)
        }
        let startEpoch = existing?.epoch ?? 0
        events(.stage(startEpoch >= config.target.epochs
            ? "target: \(try checkpointName) has all \(config.target.epochs) epochs; reusing it"
            : "target: training \(config.target.architecture) on \(config.target.dataset), epochs \(startEpoch + 1)…\(config.target.epochs), "
              + "\(trainer.roles.train.count) images → \(try checkpointName)"))
        let sampleCount = Swift.min(config.analysis.perEpochSample, trainer.roles.train.count)
        _ = try trainer.run(directory: checkpoint, resume: existing != nil, onBatch: { progress in
            events(.progress(stage: "train epoch \(progress.epoch + 1)/\(progress.epochs)", done: progress.batch,
                             total: progress.batches, values: [("loss", progress.meanLoss)]))
        }, afterEpoch: { record, model in
            if config.analysis.perEpoch {
                let statistics = try SplitAnalysisRunner.run(model: model, images: trainer.roles.train.images,
                                                             normalization: trainer.normalization,
                                                             sampleCount: sampleCount,
                                                             options: .init(seed: config.target.seed))
                let curve = ScanEpochStatistics(epoch: record.epoch, testAccuracy: record.testAccuracy,
                                                r2cMean: statistics.map(\.meanRadius),
                                                intraShare: statistics.map(\.intraClassShare))
                try store.record(curve, hash: try config.epochAnalysisHash, kind: .epochAnalysis,
                                 key: String(record.epoch))
            }
            try store.record(record, hash: hash, kind: .trainEpoch, key: String(record.epoch), seconds: record.seconds)
            events(.note(String(format: "epoch %d: train loss %.4f, test accuracy %.2f %%", record.epoch,
                                record.trainLoss, 100 * record.testAccuracy)))
        })
        return checkpoint
    }

    /// Statistics at every split, from the store when all splits are there, else measured and recorded.
    private func analyse(_ model: StagedModel, trainer: TargetTrainer, store: ScanStore,
                         events: @escaping (ScanEvent) -> Void) throws -> [SplitStatistics] {
        let hash = try config.analysisHash
        let stored = try store.units(SplitStatistics.self, hash: hash, kind: .analysis)
        if stored.count == model.splitPoints.count {
            events(.stage("analysis: all \(stored.count) splits already measured"))
            return stored.values.sorted { $0.index < $1.index }
        }
        let images = trainer.roles.train.images
        let count = config.analysis.sample.map { Swift.min($0, images.count) } ?? images.count
        events(.stage("analysis: \(model.splitPoints.count) splits over \(count) training images"))
        let started = Date()
        let statistics = try SplitAnalysisRunner.run(
            model: model, images: images, normalization: trainer.normalization,
            sampleCount: config.analysis.sample == nil ? nil : count,
            options: .init(labelSource: config.analysis.labels, seed: config.target.seed),
            onBatch: { done, _ in events(.progress(stage: "analysis", done: done, total: count, values: [])) })
        try store.record(statistics.map { (key: String($0.index), value: $0) }, hash: hash, kind: .analysis,
                         seconds: Date().timeIntervalSince(started))
        return statistics
    }

    /// Attack results at every selected split: stored ones, and the missing ones attacked now (in one pass).
    private func attack(_ study: AttackStudy, model: StagedModel, info: CheckpointInfo, data: AttackData,
                        store: ScanStore, events: @escaping (ScanEvent) -> Void) throws -> [SplitAttackResult] {
        let hash = try config.attackHash
        let selected = try study.selectedSplits(model).map(\.index)
        var results = try store.units(SplitAttackResult.self, hash: hash, kind: .attack)
        let missing = Set(selected.filter { results[String($0)] == nil })
        if missing.isEmpty {
            events(.stage("attack: all \(selected.count) splits already attacked"))
        } else {
            events(.stage("attack: \(config.attack.attacker.rawValue) at \(missing.count) of \(selected.count) splits, "
                          + "\(data.aux.count) aux images (\(data.aux.source)), \(config.attack.epochs) epochs, "
                          + "evaluated on \(data.evaluationImages.count) images"))
            let started = Date()
            _ = try study.run(model: model, info: info, data: data, out: directory, only: missing, onSplit: { result in
                try store.record(result, hash: hash, kind: .attack, key: String(result.index),
                                 seconds: Date().timeIntervalSince(started))
                results[String(result.index)] = result
            }, progress: { p in
                events(.progress(stage: "attack: \(p.stage)", done: p.done, total: p.total,
                                 values: p.loss.map { [("loss", $0)] } ?? []))
            })
        }
        return selected.compactMap { results[String($0)] }
    }

    private func zones(report: AnalysisReport, statistics: [SplitStatistics],
                       attacks: [SplitAttackResult]) throws -> ScanZones {
        guard !attacks.isEmpty else {
            return ScanZones(apriori: report.gpzApriori, aprioriVariants: report.gpzAprioriVariants, posthoc: nil,
                             agreement: [])
        }
        let posthoc = try PostHocLocator.locate(splits: attacks.map(\.index), mse: attacks.map(\.mse),
                                                threshold: config.privacyThreshold)
        let criteria = [APrioriCriterion.meanRadius] + APrioriCriterion.allCases.filter { $0 != .meanRadius }
        let agreement = try zip([report.gpzApriori] + report.gpzAprioriVariants, criteria).map {
            try ZoneAgreement(apriori: $0, posthoc: posthoc, statistics: statistics, criterion: $1)
        }
        return ScanZones(apriori: report.gpzApriori, aprioriVariants: report.gpzAprioriVariants, posthoc: posthoc,
                         agreement: agreement)
    }

    private func rows(statistics: [SplitStatistics], bounds: [EntropyBounds], attacks: [SplitAttackResult],
                      costs: [SplitCost]) -> [ScanSplit] {
        let attackByIndex = Dictionary(uniqueKeysWithValues: attacks.map { ($0.index, $0) })
        let costByIndex = Dictionary(uniqueKeysWithValues: costs.map { ($0.split.index, $0) })
        return zip(statistics, bounds).map { s, b in
            let a = attackByIndex[s.index], cost = costByIndex[s.index]
            return ScanSplit(name: s.name, index: s.index, shape: s.shape, d: s.dimension, r2cMean: s.meanRadius,
                             r2cMin: s.minRadius, r2cMax: s.maxRadius, intraShare: s.intraClassShare,
                             sigma2: s.sigma2, effectiveDimension: s.effectiveDimension,
                             hGlobalPerDim: b.globalPerDimension, hClassMixturePerDim: b.classMixturePerDimension,
                             mse: a?.mse, mseStd: a?.mseStd, mseSumChannels: a?.mseSumChannels, psnr: a?.psnr,
                             ssim: a?.ssim, cosine: a?.cosine, accuracyWithDefense: a?.accuracyWithDefense,
                             grid: a?.grid, edgeParams: cost?.edgeParameters ?? 0, edgeMacs: cost?.edgeMACs ?? 0,
                             bytes: cost?.bytesFloat32 ?? 0)
        }
    }

    private func target(_ info: CheckpointInfo, trainer: TargetTrainer, checkpoint: URL, parameters: Int) -> ScanTarget {
        ScanTarget(architecture: info.model.architecture.rawValue, checkpoint: relativePath(checkpoint),
                   trainingHash: info.configHash, inputShape: trainer.modelConfig.inputShape, parameters: parameters,
                   epochs: info.epoch, weightsEpoch: info.bestEpoch, testAccuracy: info.bestAccuracy,
                   lastAccuracy: info.testAccuracy, trainImages: trainer.roles.train.count,
                   trainSha256: trainer.roles.train.membershipHash, privateImages: trainer.roles.privateSet.count,
                   history: info.history.map(\.testAccuracy))
    }

    /// `url` relative to the run directory (`../targets/…` when the plan's directory holds it), else absolute.
    private func relativePath(_ url: URL) -> String {
        let base = directory.standardizedFileURL.path, path = url.standardizedFileURL.path
        if path.hasPrefix(base + "/") { return String(path.dropFirst(base.count + 1)) }
        let parent = directory.deletingLastPathComponent().standardizedFileURL.path
        return path.hasPrefix(parent + "/") ? "../" + path.dropFirst(parent.count + 1) : path
    }

    private func epochCurves(store: ScanStore) throws -> [ScanEpochStatistics] {
        try store.units(ScanEpochStatistics.self, hash: try config.epochAnalysisHash, kind: .epochAnalysis).values
            .sorted { $0.epoch < $1.epoch }
    }
}

/// The JSON encoder of scan files: sorted keys, pretty, slashes as they are.
public enum ScanJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = CanonicalJSON.encoder(pretty: true, nonFiniteAsStrings: true)
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                        nan: "nan")
        return decoder
    }
}
