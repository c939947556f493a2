import GPZData
import GPZNN
import GPZOptim
import GPZTensor

/// Progress of one training epoch, reported after every batch.
public struct BatchProgress: Sendable {
    public var epoch: Int
    public var epochs: Int
    public var batch: Int
    public var batches: Int
    /// Mean training loss over the epoch's batches so far.
    public var meanLoss: Double
}

/// One pass over a loader's epoch: forward, cross-entropy with the label scheme, backward, optimiser step.
public enum EpochTrainer {
    /// Trains `model` on every batch of `loader`'s epoch `epoch` and returns the mean loss.
    /// A non-finite loss stops training with an error (the weights of the last good epoch stay on disk).
    public static func run(model: any Module, optimizer: any Optimizer, loader: BatchLoader, epoch: Int,
                           epochs: Int, labels: LabelScheme, normalization: Normalization,
                           onBatch: (BatchProgress) -> Void = { _ in }) throws -> Double {
        model.train()
        let batches = loader.epoch(epoch)
        var done = 0, lossSum = 0.0
        while let batch = try batches.next() {
            try optimizer.zeroGrad()
            let logits = try model(try normalization.apply(batch.images))
            let loss = try Loss.crossEntropy(logits, labels: batch.labels, labelSmoothing: labels.alpha)
            let value = try loss.item()
            guard value.isFinite else {
                throw TrainingError("epoch \(epoch + 1), batch \(done + 1): the loss is \(value); lower --lr")
            }
            try loss.backward()
            try optimizer.step()
            done += 1
            lossSum += value
            onBatch(BatchProgress(epoch: epoch, epochs: epochs, batch: done, batches: batches.count,
                                  meanLoss: lossSum / Double(done)))
        }
        return lossSum / Double(max(done, 1))
    }
}
