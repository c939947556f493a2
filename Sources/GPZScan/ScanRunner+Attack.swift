import Foundation
import GPZAnalysis
import GPZAttacks
import GPZData
import GPZModels
import GPZTensor
import GPZTraining

/// One attack run of a scan's attack stage: its decoder seed, its share of the attacker's training images, its
/// epoch maximum, and its result at each split it attacked.
struct ScanAttackRun {
    var seed: UInt64
    var budget: Double
    var epochs: Int
    var results: [Int: SplitAttackResult]
}

/// What the attack stage of a scan produced: the first run (decoder seed `attack.seed`, all the attacker's data,
/// `attack.epochs` at most) at every selected split, the runs at the splits it left open, and the class-prior
/// baselines of the evaluated images.
struct AttackOutcome {
    var first: [SplitAttackResult]
    /// Every run, the first included.
    var runs: [ScanAttackRun]
    var seeds: [UInt64]
    /// The splits the first run left open (not settled as leaking), where the later runs went.
    var replicated: [Int]
    var baselines: ReconstructionBaselines?
}

extension ScanRunner {
    /// Attacks every selected split once (decoder seed `attack.seed`, all the attacker's data), then, at the splits
    /// that run leaves open (`LeakageBoundary.replicateSplits`: not settled as leaking), runs what the verdict needs
    /// there: decoder seeds `attack.seed …` and the budget ladder's rungs, each trained to convergence under
    /// `attack.escalation_epochs` (rMLE: its further seeds only). Each run's units are stored under their own hash,
    /// so a resumed scan skips what any run finished.
    func attack(model: StagedModel, candidates: [SplitPoint], info: CheckpointInfo, data: AttackData,
                store: ScanStore, events: @escaping (ScanEvent) -> Void) throws -> AttackOutcome {
        let selected = try AttackStudy(config: config.attack).selectedSplits(model).map(\.index)
        let base = config.attack.seed
        let bank = FeatureBank(sampleCount: data.aux.count, budgetBytes: config.attack.featureBankMiB << 20)
        let firstRun = try attack(config.attack, splits: selected, model: model, info: info, data: data, store: store,
                                  bank: bank, grids: directory, events: events)
        let first = selected.compactMap { firstRun.results[$0] }
        guard !first.isEmpty else { return AttackOutcome(first: [], runs: [], seeds: [base], replicated: []) }
        let baselines = try Self.baselines(data.evaluationImages, scored: first[0].images, model: model, info: info,
                                           aux: data.attackerImages.images, seed: config.attack.seed)
        let single = try leakageBoundary(AttackOutcome(first: first, runs: [firstRun], seeds: [base], replicated: []),
                                         candidates: candidates, baselines: baselines)
        let open = LeakageBoundary.replicateSplits(single.splits, threshold: config.leakageThreshold)
        var runs = [firstRun]
        for settings in escalation(open: open) {
            let grids = directory.appendingPathComponent(
                "escalation/seed-\(settings.seed)-budget-\(settings.budget)-epochs-\(settings.epochs)")
            let runData = settings.budget == config.attack.budget ? data : try AttackData(info: info, config: settings)
            runs.append(try attack(settings, splits: open, model: model, info: info, data: runData, store: store,
                                   bank: settings.budget < 1 ? nil : bank, grids: grids, events: events))
        }
        return AttackOutcome(first: first, runs: runs, seeds: Array(Set(runs.map(\.seed))).sorted(), replicated: open,
                             baselines: baselines)
    }

    /// The runs at the open splits: every decoder seed at the full budget, then the ladder's rungs at the first
    /// seed, each under `escalation_epochs` (trained to convergence); rMLE, which is not trained, only its seeds
    /// after the first.
    func escalation(open: [Int]) -> [AttackConfig] {
        guard !open.isEmpty else { return [] }
        let base = config.attack
        let seeds = (0..<UInt64(base.seeds)).map { base.seed &+ $0 }
        func run(seed: UInt64, budget: Double) -> AttackConfig {
            var settings = base
            settings.seed = seed
            settings.budget = budget
            if base.attacker.learns { settings.epochs = base.escalationEpochs }
            return settings
        }
        guard base.attacker.learns else { return seeds.dropFirst().map { run(seed: $0, budget: 1) } }
        return seeds.map { run(seed: $0, budget: 1) } + base.ladder.map { run(seed: base.seed, budget: $0) }
    }

    /// The results of one run at `splits`: stored ones, and the missing ones attacked now (in one pass), with their
    /// grids under `grids`.
    private func attack(_ settings: AttackConfig, splits: [Int], model: StagedModel, info: CheckpointInfo,
                        data: AttackData, store: ScanStore, bank: FeatureBank?, grids: URL,
                        events: @escaping (ScanEvent) -> Void) throws -> ScanAttackRun {
        let run = ScanAttackRun(seed: settings.seed, budget: settings.budget, epochs: settings.epochs, results: [:])
        guard !splits.isEmpty else { return run }
        var study = AttackStudy(config: settings, priorCache: targets.appendingPathComponent("priors"))
        let hash = try config.attackHash(of: settings)
        var results = try store.units(SplitAttackResult.self, hash: hash, kind: .attack)
        let missing = Set(splits.filter { results[String($0)] == nil })
        let label = settings == config.attack ? "attack"
            : "attack, seed \(settings.seed), \(Self.percent(settings.budget)) of the aux data"
        if missing.isEmpty {
            events(.stage("\(label): all \(splits.count) splits already attacked"))
        } else {
            events(.stage("\(label): \(settings.attacker.rawValue) at \(missing.count) of \(splits.count) splits, "
                          + "\(data.aux.count) aux images (\(data.aux.source)), \(data.validation.count) held out, "
                          + "at most \(settings.epochs) epochs, evaluated on "
                          + (settings.attacker.isWhiteBox
                             ? "the first \(Swift.min(settings.rmleImages, data.evaluationImages.count)) of \(data.evaluationImages.count) images"
                             : "\(data.evaluationImages.count) images")))
            let started = Date()
            _ = try study.run(model: model, info: info, data: data, out: grids, only: missing, bank: bank,
                              onSplit: { result in
                try store.record(result, hash: hash, kind: .attack, key: String(result.index),
                                 seconds: Date().timeIntervalSince(started))
                results[String(result.index)] = result
            }, progress: { p in
                events(.progress(stage: "\(label): \(p.stage)", done: p.done, total: p.total,
                                 values: p.loss.map { [("loss", $0)] } ?? []))
            })
            if let prior = study.priorReport {
                events(.stage("\(label): image prior \(prior.hash.prefix(16)) "
                              + (prior.cached ? "reused" : "trained in \(Int(prior.seconds.rounded())) s")
                              + " on \(prior.images) aux images, \(prior.epochs) epochs (per-image squared error "
                              + String(format: "%.1f", prior.reconstruction) + ", KL " + String(format: "%.1f", prior.kl) + ")"))
            }
        }
        var done = run
        done.results = Dictionary(uniqueKeysWithValues: splits.compactMap { index in results[String(index)].map { (index, $0) } })
        return done
    }

    static func percent(_ share: Double) -> String { share == 1 ? "all" : "\(Int((share * 100).rounded())) %" }

    /// The class-prior baselines of the evaluated images, in [0, 1] as the reconstructions are compared: the
    /// oracle over all of `images`, and the attainable label-only reconstruction (the means of the `aux` images of
    /// the class `model` predicts) over the first `scored` of them, the images the attack was scored on (all of
    /// them for the decoders, rMLE's few for rMLE), so that an attack is judged adequate on its own images: its MSE
    /// and its re-identification (in the embedding the attack used: fitted on `aux` with `seed`). Without aux
    /// images the label-only values are omitted.
    static func baselines(_ images: ImageSet, scored: Int, model: StagedModel, info: CheckpointInfo,
                          aux: ImageSet, seed: UInt64) throws -> ReconstructionBaselines {
        let evaluated = try AttackStudy.unitImages(images)
        let oracle = try ReconstructionBaselines.compute(images: evaluated, labels: images.labels)
        guard aux.count > 0 else { return oracle }
        let attacked = images.subset(Array(0..<Swift.min(scored, images.count)))
        let originals = try AttackStudy.unitImages(attacked)
        let predicted = try Evaluation.predictions(of: model, on: attacked, normalization: info.normalization)
        let auxImages = try AttackStudy.unitImages(aux)
        let guesses = try ReconstructionBaselines.labelOnlyReconstructions(predicted: predicted, auxImages: auxImages,
                                                                           auxLabels: aux.labels)
        let labelOnly = try ReconstructionBaselines.labelOnlyMSE(images: originals, reconstructions: guesses)
        let embedding = try ReidentificationEmbedding.fit(images: auxImages, seed: seed)
        let reidentification = try AttackStudy.reidentification(guesses.to(.float32), of: originals,
                                                                labels: attacked.labels, embedding: embedding,
                                                                seed: seed)
        return oracle.with(labelOnlyMSE: labelOnly, auxImages: aux.count, reidentification: reidentification)
    }
}
