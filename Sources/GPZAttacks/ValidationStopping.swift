import GPZNN
import GPZOptim
import GPZTensor

/// Early stopping of the decoders trained together: one `EarlyStopping` rule per decoder, checked after every
/// epoch on the validation MSE
///
///     V_k = mean over the held-out aux images and their elements of (g_k(Z_k) − x)²
///
/// (the decoders in evaluation mode). A decoder whose rule stops takes no more steps; each keeps a copy of its
/// weights (parameters and buffers) from its best check and gets them back when training ends.
struct ValidationStopping {
    /// Held-out images and what the attacker observes for them at the group's splits, computed once.
    struct Batch {
        let images: Tensor
        let features: [Int: Tensor]
    }

    private let group: [Int]
    private let validation: [Batch]
    private var rules: [Int: EarlyStopping]
    private var best: [Int: [String: Tensor]] = [:]
    private var bestEpoch: [Int: Int] = [:]

    init(_ group: [Int], validation: [Batch], rule: EarlyStopping) throws {
        try AttackError.check(!validation.isEmpty, "InversionTrainer: the validation images yielded no batches")
        self.group = group
        self.validation = validation
        rules = Dictionary(uniqueKeysWithValues: group.map { ($0, rule) })
    }

    func isActive(_ position: Int) -> Bool { rules[position]?.stop == nil }

    var allStopped: Bool { group.allSatisfy { !isActive($0) } }

    /// Measures every active decoder on the validation images after `epoch` and records its rule's verdict.
    mutating func check(epoch: Int, trainer: InversionTrainer) throws {
        for position in group where isActive(position) {
            let decoder = trainer.decoders[position]
            let index = trainer.splits[position].index
            decoder.eval()
            var total = 0.0, count = 0
            try withNoGrad {
                for batch in validation {
                    guard let z = batch.features[index] else {
                        throw AttackError("InversionTrainer: no validation features for split \(index)")
                    }
                    total += try Loss.mse(decoder(z), batch.images).item() * Double(batch.images.size(0))
                    count += batch.images.size(0)
                }
            }
            let loss = total / Double(count)
            let previousBest = rules[position]!.bestCheck
            _ = rules[position]!.observe(loss)
            if rules[position]!.bestCheck != previousBest {
                best[position] = try Dictionary(uniqueKeysWithValues: decoder.stateDict().map { ($0.name, try $0.tensor.clone()) })
                bestEpoch[position] = epoch
            }
        }
    }

    /// Restores each decoder's best weights and reports each rule's history and stop (a rule still running at the
    /// last epoch stopped at its maximum).
    func finish(trainer: InversionTrainer, report: inout InversionTrainingReport) throws {
        for position in group {
            let index = trainer.splits[position].index
            if let state = best[position] { try trainer.decoders[position].loadStateDict(state) }
            let rule = rules[position]!
            report.validationLosses[index] = rule.history
            report.stops[index] = rule.stop ?? .maximum
            report.bestEpochs[index] = bestEpoch[position]
        }
    }
}

extension InversionTrainer {
    /// The held-out images and the features the attacker observes for them at `group`, one target pass per batch.
    func validationSet(_ images: ImageBatchStream, group: [Int]) throws -> [ValidationStopping.Batch] {
        var batches: [ValidationStopping.Batch] = []
        try images.forEachBatch { batch in
            batches.append(.init(images: batch, features: try observedFeatures(batch, at: group)))
        }
        return batches
    }
}
