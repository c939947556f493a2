import Foundation
import GPZNN
import GPZTensor

/// Wall-clock time of the edge half of a model, measured on this machine.
public enum EdgeLatency {
    /// Seconds per image to compute the features of each split, in split order.
    ///
    /// Each round runs the whole model once on the same random batch of `batch` images, in evaluation mode
    /// without gradients, and reads the clock after every stage; the edge time of split k in that round is the
    /// time from the start to the end of split k's stage. The result is the median over `rounds` rounds,
    /// after one untimed warm-up round, divided by `batch`. The model's training mode is restored afterwards.
    public static func measure(_ model: some SplittableModel, batch: Int = 8, rounds: Int = 5) throws -> [Double] {
        guard batch >= 1, rounds >= 1 else {
            throw ModelError("latency needs a batch and a round count of at least 1, got \(batch) and \(rounds)")
        }
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let input = try Tensor.randn([batch] + model.config.inputShape)
        var samples = [[Double]](repeating: [], count: model.splitPoints.count)
        try withNoGrad {
            for round in 0...rounds {
                let start = DispatchTime.now().uptimeNanoseconds
                var current = input
                var split = 0
                for stage in model.stages {
                    current = try stage.module(current)
                    guard stage.isSplitPoint else { continue }
                    if round > 0 {
                        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                        samples[split].append(elapsed / Double(batch))
                    }
                    split += 1
                }
            }
        }
        return samples.map { $0.sorted()[$0.count / 2] }
    }

    /// `costs` (one per split of `model`, in order) with `edgeLatencySeconds` measured by `measure`.
    public static func measured(_ costs: [SplitCost], model: some SplittableModel, batch: Int = 8,
                                rounds: Int = 5) throws -> [SplitCost] {
        let seconds = try measure(model, batch: batch, rounds: rounds)
        return costs.map { cost in
            var timed = cost
            timed.edgeLatencySeconds = seconds[cost.split.index - 1]
            return timed
        }
    }

    /// `costs` as they are when every split's MACs were derived; otherwise (an exported model with an operation
    /// its exporter could not count, `SplitCost.macsDerived` false) with the edge latency measured beside them.
    public static func measuredWhereMACsUnknown(_ costs: [SplitCost], model: some SplittableModel) throws -> [SplitCost] {
        costs.allSatisfy { $0.macsDerived != false } ? costs : try measured(costs, model: model)
    }
}
