import GPZData
import GPZNN
import GPZTensor

/// Classification accuracy of a model on an image set.
public enum Evaluation {
    /// Fraction of `set` classified correctly, in evaluation mode without gradients; the model's previous mode is
    /// restored afterwards.
    public static func accuracy(of model: any Module, on set: ImageSet, normalization: Normalization,
                                batchSize: Int = 500) throws -> Double {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let batches = BatchLoader(set, batchSize: batchSize, shuffle: false).epoch(0)
        var correct = 0
        try withNoGrad {
            while let batch = try batches.next() {
                let predicted = try model(try normalization.apply(batch.images)).argmax(dim: 1)
                correct += try predicted.eq(batch.labels).to(.int64).sum().toInts()[0]
            }
        }
        return Double(correct) / Double(max(set.count, 1))
    }
}
