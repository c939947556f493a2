import Foundation
import GPZNN
import GPZTensor

/// Wall-clock time of the edge half of a model, measured on this machine.
public enum EdgeLatency {
    /// Seconds per image to compute the features of split `index`: the median over `rounds` timed runs of a
    /// random batch of `batch` images, after one untimed warm-up run, in evaluation mode without gradients.
    /// The model's training mode is restored afterwards.
    public static func measure(_ model: some SplittableModel, upTo index: Int, batch: Int = 8,
                               rounds: Int = 5) throws -> Double {
        guard batch >= 1, rounds >= 1 else {
            throw ModelError("latency needs a batch and a round count of at least 1, got \(batch) and \(rounds)")
        }
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let input = try Tensor.randn([batch] + model.config.inputShape)
        return try withNoGrad {
            _ = try model.edge(input, upTo: index)
            var samples: [Double] = []
            for _ in 0..<rounds {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try model.edge(input, upTo: index)
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(batch))
            }
            return samples.sorted()[samples.count / 2]
        }
    }

    /// `costs` with `edgeLatencySeconds` measured for each split.
    public static func measured(_ costs: [SplitCost], model: some SplittableModel, batch: Int = 8,
                                rounds: Int = 5) throws -> [SplitCost] {
        try costs.map { cost in
            var timed = cost
            timed.edgeLatencySeconds = try measure(model, upTo: cost.split.index, batch: batch, rounds: rounds)
            return timed
        }
    }
}
