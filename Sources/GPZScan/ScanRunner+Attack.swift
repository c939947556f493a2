import Foundation
import GPZAnalysis
import GPZAttacks
import GPZData
import GPZModels
import GPZTensor
import GPZTraining

/// What the attack stage of a scan produced: the results of the first decoder seed at every selected split, the
/// later seeds' results at the replicated splits, and the class-prior baselines of the evaluated images.
struct AttackOutcome {
    var first: [SplitAttackResult]
    /// One dictionary (split index → result) per seed after the first.
    var replicates: [[Int: SplitAttackResult]]
    var seeds: [UInt64]
    var replicated: [Int]
    var baselines: ReconstructionBaselines?
}

extension ScanRunner {
    /// Attacks every selected split with decoder seed `attack.seed`, then the splits where the verdict can flip
    /// (`LeakageBoundary.replicateSplits`) with seeds `attack.seed + 1 …`; each seed's units are stored under
    /// their own hash, so a resumed scan skips what any seed finished.
    func attack(model: StagedModel, candidates: [SplitPoint], info: CheckpointInfo, data: AttackData,
                store: ScanStore, events: @escaping (ScanEvent) -> Void) throws -> AttackOutcome {
        let selected = try AttackStudy(config: config.attack).selectedSplits(model).map(\.index)
        let base = config.attack.seed
        let bank = FeatureBank(sampleCount: data.aux.count, budgetBytes: config.attack.featureBankMiB << 20)
        let first = try attack(seed: base, splits: selected, model: model, info: info, data: data, store: store,
                               bank: bank, grids: directory, events: events)
        guard !first.isEmpty else { return AttackOutcome(first: [], replicates: [], seeds: [base], replicated: []) }
        let baselines = try Self.baselines(data.evaluationImages, model: model, info: info, aux: data.aux.images)
        let single = try leakageBoundary(AttackOutcome(first: first, replicates: [], seeds: [base], replicated: []),
                                         candidates: candidates, baselines: baselines)
        let replicated = config.attack.seeds > 1
            ? LeakageBoundary.replicateSplits(single.splits, threshold: config.leakageThreshold) : []
        let seeds = (0..<UInt64(config.attack.seeds)).map { base &+ $0 }
        let replicates = try seeds.dropFirst().map { seed in
            let results = try attack(seed: seed, splits: replicated, model: model, info: info, data: data,
                                     store: store, bank: bank, grids: directory.appendingPathComponent("replicates/seed-\(seed)"),
                                     events: events)
            return Dictionary(uniqueKeysWithValues: results.map { ($0.index, $0) })
        }
        return AttackOutcome(first: first, replicates: replicates, seeds: seeds, replicated: replicated,
                             baselines: baselines)
    }

    /// The results of decoder seed `seed` at `splits`: stored ones, and the missing ones attacked now (in one
    /// pass), with their grids under `grids`.
    private func attack(seed: UInt64, splits: [Int], model: StagedModel, info: CheckpointInfo, data: AttackData,
                        store: ScanStore, bank: FeatureBank, grids: URL, events: @escaping (ScanEvent) -> Void) throws -> [SplitAttackResult] {
        guard !splits.isEmpty else { return [] }
        var settings = config.attack
        settings.seed = seed
        let study = AttackStudy(config: settings)
        let hash = try config.attackHash(seed: seed)
        var results = try store.units(SplitAttackResult.self, hash: hash, kind: .attack)
        let missing = Set(splits.filter { results[String($0)] == nil })
        let label = seed == config.attack.seed ? "attack" : "attack, decoder seed \(seed)"
        if missing.isEmpty {
            events(.stage("\(label): all \(splits.count) splits already attacked"))
        } else {
            events(.stage("\(label): \(config.attack.attacker.rawValue) at \(missing.count) of \(splits.count) splits, "
                          + "\(data.aux.count) aux images (\(data.aux.source)), \(config.attack.epochs) epochs, "
                          + "evaluated on \(data.evaluationImages.count) images"))
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
        }
        return splits.compactMap { results[String($0)] }
    }

    /// The class-prior baselines of the evaluated images, in [0, 1] as the reconstructions are compared, with the
    /// attainable label-only MSE: the means of the `aux` images of the class `model` predicts for each evaluated
    /// image (omitted without aux images). Reported only; no verdict uses the label-only MSE.
    static func baselines(_ images: ImageSet, model: StagedModel, info: CheckpointInfo,
                          aux: ImageSet) throws -> ReconstructionBaselines {
        let evaluated = try unitImages(images)
        let oracle = try ReconstructionBaselines.compute(images: evaluated, labels: images.labels)
        guard aux.count > 0 else { return oracle }
        let predicted = try Evaluation.predictions(of: model, on: images, normalization: info.normalization)
        let labelOnly = try ReconstructionBaselines.labelOnlyMSE(images: evaluated, predicted: predicted,
                                                                 auxImages: unitImages(aux), auxLabels: aux.labels)
        return oracle.with(labelOnlyMSE: labelOnly, auxImages: aux.count)
    }

    /// All of `images` as one tensor [N, C, H, W] in [0, 1], unflipped.
    private static func unitImages(_ images: ImageSet) throws -> Tensor {
        let batch = BatchLoader.assemble(images, indices: Array(0..<images.count),
                                         flip: [Bool](repeating: false, count: images.count))
        return try BatchLoader.tensors(batch).images
    }
}
