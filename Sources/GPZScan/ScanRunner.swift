import Foundation
import GPZAnalysis
import GPZAttacks
import GPZConfig
import GPZData
import GPZTensor
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
/// agreement → split costs → recommendation → `results.json`, `results.csv`, and the publisher's `report.html`.
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
    /// Renders the results for people (`report.html`); nil writes the JSON and CSV files only.
    public let publisher: (any ScanPublisher)?

    public init(config: ScanConfig, directory: URL, shared: URL? = nil, targets: URL? = nil,
                publisher: (any ScanPublisher)? = nil) {
        self.config = config
        self.directory = directory
        self.publisher = publisher
        self.shared = shared ?? directory
        self.targets = targets ?? (shared ?? directory).appendingPathComponent("targets")
    }

    public static func resultsURL(_ directory: URL) -> URL { directory.appendingPathComponent("results.json") }

    public func run(events: @escaping (ScanEvent) -> Void = { _ in }) throws -> ScanResults {
        try config.validate()
        try Device.useConfigured(config.device)
        let clock = Date()
        var timing: [String: Double] = [:]
        func timed<T>(_ stage: String, _ body: () throws -> T) rethrows -> T {
            let started = Date()
            defer { timing[stage] = Date().timeIntervalSince(started) }
            return try body()
        }
        let store = try openStore()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try ResultsJSON.encoder().encode(config).write(to: directory.appendingPathComponent("config.json"), options: .atomic)
        let trainer = try makeTrainer()
        let checkpoint = try timed("train") { try train(trainer, store: store, events: events) }
        let (model, info) = try CheckpointStore.loadModel(checkpoint)
        let candidates = try self.candidates(model)
        let (statistics, bootstrap) = try timed("analysis") {
            try analyse(model, candidates: candidates, trainer: trainer, store: store, events: events)
        }
        let report = try AnalysisReport(statistics: statistics, labels: config.analysis.labels,
                                        candidates: candidates.map(\.index))
        let zone = try stableZone(candidates: candidates, statistics: statistics, bootstrap: bootstrap)
        let data = try AttackData(info: info, config: config.attack)
        let outcome = try timed("attack") { try attack(model: model, candidates: candidates, info: info, data: data, store: store, events: events) }
        let costs = try timed("costs") { try EdgeLatency.measuredWhereMACsUnknown(try SplitCost.all(for: model), model: model) }
        let leakage = try outcome.baselines.map {
            try leakageBoundary(outcome, candidates: candidates, baselines: $0)
        }
        let splits = rows(statistics: statistics, bounds: report.splits.map(\.bounds), attacks: outcome.first,
                          leakage: leakage, candidates: candidates, costs: costs)
        let zones = try ScanZones(zone: zone, paperRule: report.gpzApriori, leakage: leakage,
                                  paperThreshold: paperThreshold(outcome.first))
        timing["total"] = Date().timeIntervalSince(clock)
        let results = ScanResults(
            name: config.name, config: config, configHash: try config.hash,
            target: target(info, trainer: trainer, checkpoint: checkpoint, parameters: costs.last?.edgeParameters ?? 0),
            analysis: ScanAnalysis(images: statistics.first?.sampleCount ?? 0, classes: report.classes,
                                   labels: config.analysis.labels, analysisHash: try config.analysisHash),
            attack: ScanAttack(attacker: config.attack.attacker.rawValue, defense: config.attack.defense.rawValue,
                               auxSource: data.aux.source, auxImages: data.attackerImages.count,
                               auxSha256: data.attackerImages.membershipHash,
                               evaluatedImages: outcome.first.first?.images ?? 0, epochs: config.attack.epochs,
                               attackHash: try config.attackHash, seeds: outcome.seeds,
                               replicatedSplits: outcome.replicated, patience: config.attack.patience,
                               validationImages: data.validation.count, ladder: config.attack.ladder,
                               escalationEpochs: config.attack.escalationEpochs),
            baselines: outcome.baselines, splits: splits, zones: zones,
            recommendation: ScanVerdict.recommend(splits: splits, zone: zone, leakage: leakage,
                                                  threshold: config.leakageThreshold),
            headline: ScanHeadline(verdict: try leakage.map { try VerdictHeadline(zone: zone, leakage: $0) },
                                   testAccuracy: info.bestAccuracy),
            perEpoch: config.analysis.perEpoch ? try epochCurves(store: store) : nil,
            timing: timing)
        try ResultsJSON.encoder().encode(results).write(to: Self.resultsURL(directory), options: .atomic)
        try ResultsCSV.write(results, to: directory.appendingPathComponent("results.csv"))
        _ = try publisher?.publish(study: results, in: directory)
        return results
    }

    /// The split names of `attack.splits` and `analysis.candidates` must exist in the model: checked before any
    /// training.
    private func checkSplits(_ trainer: TargetTrainer) throws {
        let model = try trainer.makeModel()
        _ = try candidates(model)
        do {
            _ = try config.attack.splits.attackPoints(model)
        } catch let error as ModelError {
            throw ConfigError(field: "attack.splits", error.message)
        }
    }

    private var checkpointName: String {
        get throws { try Self.checkpointName(config.target) }
    }

    /// The checkpoint folder's name under `targets`: studies whose targets have the same name share one checkpoint.
    public static func checkpointName(_ target: TrainingConfig) throws -> String {
        "\((try target.hash).prefix(16))-" + (target.model == nil ? "e\(target.epochs)" : "pretrained")
    }

    /// Only the target: trains it (or continues or reuses its checkpoint) and records each epoch in the store at
    /// `shared`, without the analysis or the attack. A cluster run trains a target that several studies share this
    /// way, once, before those studies start; each of them then finds the checkpoint finished.
    @discardableResult
    public func trainTarget(events: @escaping (ScanEvent) -> Void = { _ in }) throws -> URL {
        try config.validate()
        try Device.useConfigured(config.device)
        let store = try openStore()
        return try train(try makeTrainer(), store: store, events: events)
    }

    /// The store of finished units at `shared`, created with its folder when missing.
    private func openStore() throws -> ScanStore {
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        return try ScanStore(url: shared.appendingPathComponent(ScanStore.fileName))
    }

    /// The target's trainer, with the split names of the configuration checked before any training.
    private func makeTrainer() throws -> TargetTrainer {
        let trainer = try TargetTrainer(config: config.target, dataset: try Catalog.load(config.target.dataset))
        try checkSplits(trainer)
        return trainer
    }

    /// Trains the target to `target.epochs`, continuing its checkpoint when there is one; records each epoch.
    private func train(_ trainer: TargetTrainer, store: ScanStore, events: @escaping (ScanEvent) -> Void) throws -> URL {
        let checkpoint = targets.appendingPathComponent(try checkpointName)
        if let pretrained = config.target.model {
            events(.stage("target: \(pretrained) (pretrained, no training) → \(try checkpointName)"))
            let info = try trainer.run(directory: checkpoint, resume: true)
            events(.note(String(format: "pretrained target: test accuracy %.2f %% on %d private images",
                                100 * info.testAccuracy, trainer.roles.privateSet.count)))
            return checkpoint
        }
        let existing = try CheckpointStore.readInfo(checkpoint)
        let hash = try config.target.hash
        if let existing {
            try store.record(existing.history.map { (key: String($0.epoch), value: $0) }, hash: hash, kind: .trainEpoch)
            try importEpochAnalysis(into: store)
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

    /// A checkpoint trained by `trainTarget` has its per-epoch statistics in the targets folder's own store: with
    /// `analysis.per_epoch`, they are copied into this study's store, so its results are those of a study that
    /// trained the target itself.
    private func importEpochAnalysis(into store: ScanStore) throws {
        let url = targets.appendingPathComponent(ScanStore.fileName)
        guard config.analysis.perEpoch, targets.standardizedFileURL != shared.standardizedFileURL,
              FileManager.default.fileExists(atPath: url.path) else { return }
        let hash = try config.epochAnalysisHash
        let units = try ScanStore(readingAt: url).units(ScanEpochStatistics.self, hash: hash, kind: .epochAnalysis)
        try store.record(units.map { (key: $0.key, value: $0.value) }, hash: hash, kind: .epochAnalysis)
    }

    /// The zone's candidate splits of `model`.
    private func candidates(_ model: some SplittableModel) throws -> [SplitPoint] {
        do {
            return try config.analysis.candidates.candidates(model)
        } catch let error as AnalysisError {
            throw ConfigError(field: "analysis.candidates", error.message)
        } catch let error as ModelError {
            throw ConfigError(field: "analysis.candidates", error.message)
        }
    }

    /// Statistics at every split and the bootstrap replicates at the candidates, from the store when all are
    /// there, else measured in one pass and recorded.
    private func analyse(_ model: StagedModel, candidates: [SplitPoint], trainer: TargetTrainer, store: ScanStore,
                         events: @escaping (ScanEvent) -> Void) throws
        -> (statistics: [SplitStatistics], bootstrap: [BootstrapReplicates]) {
        let hash = try config.analysisHash
        let stored = try store.units(SplitStatistics.self, hash: hash, kind: .analysis)
        let storedBootstrap = try store.units([BootstrapReplicates].self, hash: hash, kind: .bootstrap)["candidates"]
        if stored.count == model.splitPoints.count, let storedBootstrap {
            events(.stage("analysis: all \(stored.count) splits already measured"))
            return (stored.values.sorted { $0.index < $1.index }, storedBootstrap)
        }
        let images = trainer.roles.train.images
        let count = config.analysis.sample.map { Swift.min($0, images.count) } ?? images.count
        let replicates = config.analysis.bootstrap
        events(.stage("analysis: \(model.splitPoints.count) splits over \(count) training images, "
                      + "\(replicates) bootstrap replicates at \(candidates.count) candidates"))
        let started = Date()
        let bootstrap = replicates > 0
            ? SplitStatisticsAccumulator.BootstrapOptions(splits: candidates.map(\.index), replicates: replicates,
                                                          seed: config.analysis.bootstrapSeed) : nil
        let measured = try SplitAnalysisRunner.measure(
            model: model, images: images, normalization: trainer.normalization,
            sampleCount: config.analysis.sample == nil ? nil : count,
            options: .init(labelSource: config.analysis.labels, seed: config.target.seed, bootstrap: bootstrap),
            onBatch: { done, _ in events(.progress(stage: "analysis", done: done, total: count, values: [])) })
        try store.record(measured.bootstrap, hash: hash, kind: .bootstrap, key: "candidates")
        try store.record(measured.statistics.map { (key: String($0.index), value: $0) }, hash: hash, kind: .analysis,
                         seconds: Date().timeIntervalSince(started))
        return measured
    }

    /// The verdict's a-priori zone: the share rule over the candidates, with its bootstrap frequencies.
    private func stableZone(candidates: [SplitPoint], statistics: [SplitStatistics],
                            bootstrap: [BootstrapReplicates]) throws -> StableZone {
        let byIndex = Dictionary(statistics.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
        let replicates = Dictionary(bootstrap.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
        return try StableZoneLocator.locate(
            criterion: .intraClassShare, candidates: candidates.map(\.index), names: candidates.map(\.name),
            values: candidates.map { byIndex[$0.index]!.intraClassShare },
            replicates: bootstrap.isEmpty ? [] : candidates.map { replicates[$0.index]?.intraClassShare ?? [] },
            majority: config.analysis.majority)
    }

    /// Leakage at every attacked split over every seed run there.
    func leakageBoundary(_ outcome: AttackOutcome, candidates: [SplitPoint],
                         baselines: ReconstructionBaselines) throws -> LeakageBoundary {
        let blockIndices = Set(candidates.map(\.index))
        let attacker = config.attack.attacker.rawValue
        return try LeakageBoundary(splits: outcome.first.map { result in
            LeakageBoundary.SplitRuns(
                index: result.index, name: result.name, candidate: blockIndices.contains(result.index),
                isLogits: result.name == SplitPoint.logitsName,
                runs: outcome.runs.compactMap { run in
                    run.results[result.index].map { Self.attackRun($0, attacker: attacker, run: run, baselines: baselines) }
                })
        }, classMeanMSE: baselines.classMeanMSE, adequacyMSE: baselines.labelOnlyMSE, threshold: config.leakageThreshold)
    }

    /// One run's result at one split as the verdict reads it. Re-identification counts when the Wilson interval of
    /// either similarity (embedding or SSIM) lies above chance and above the label-only reconstruction's rate
    /// (`ReconstructionBaselines.reidentifies`).
    static func attackRun(_ result: SplitAttackResult, attacker: String, run: ScanAttackRun,
                          baselines: ReconstructionBaselines) -> AttackRun {
        AttackRun(attacker: attacker, seed: run.seed, budget: run.budget, epochs: run.epochs, mse: result.mse,
                  mseError: result.mseError, converged: result.training?.converged,
                  reidentifies: result.reidentification.map(baselines.reidentifies))
    }

    /// The paper's comparison: the first split whose channel-summed MSE reaches `privacy_threshold`.
    private func paperThreshold(_ attacks: [SplitAttackResult]) throws -> PostHocZone? {
        attacks.isEmpty ? nil : try PostHocLocator.locate(splits: attacks.map(\.index),
                                                         mse: attacks.map(\.mseSumChannels),
                                                         threshold: config.privacyThreshold)
    }

    private func rows(statistics: [SplitStatistics], bounds: [EntropyBounds], attacks: [SplitAttackResult],
                      leakage: LeakageBoundary?, candidates: [SplitPoint], costs: [SplitCost]) -> [ScanSplit] {
        let attackByIndex = Dictionary(uniqueKeysWithValues: attacks.map { ($0.index, $0) })
        let leakageByIndex = Dictionary(uniqueKeysWithValues: (leakage?.splits ?? []).map { ($0.index, $0) })
        let costByIndex = Dictionary(uniqueKeysWithValues: costs.map { ($0.split.index, $0) })
        let candidateIndices = Set(candidates.map(\.index))
        return zip(statistics, bounds).map { s, b in
            let attack = attackByIndex[s.index]
            return ScanSplit(statistics: s, bounds: b, cost: costByIndex[s.index]!, attack: attack,
                             leakage: leakageByIndex[s.index], candidate: candidateIndices.contains(s.index),
                             paperThresholdProtects: attack.map { $0.mseSumChannels >= config.privacyThreshold })
        }
    }

    private func target(_ info: CheckpointInfo, trainer: TargetTrainer, checkpoint: URL, parameters: Int) -> ScanTarget {
        ScanTarget(architecture: config.target.model?.description ?? info.model.architecture.rawValue, checkpoint: relativePath(checkpoint),
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
