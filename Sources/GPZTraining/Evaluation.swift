import GPZData
import GPZNN
import GPZTensor

/// Classification accuracy of a model on an image set.
public enum Evaluation {
    /// Fraction of `set` classified correctly, in evaluation mode without gradients; the model's previous mode is
    /// restored afterwards.
    public static func accuracy(of model: any Module, on set: ImageSet, normalization: Normalization,
                                batchSize: Int = 500) throws -> Double {
        try accuracy(of: model, on: set, batchSize: batchSize) { try model(try normalization.apply($0)) }
    }

    /// The one accuracy loop: fraction of `set` whose `logits(images)` (raw images in, in `set`'s order and
    /// batches of `batchSize`) pick the true class, in evaluation mode without gradients; `model`'s previous mode
    /// is restored afterwards. The cloud's accuracy on features as sent or enhanced is this loop with another
    /// `logits`.
    public static func accuracy(of model: any Module, on set: ImageSet, batchSize: Int = 500,
                                logits: (Tensor) throws -> Tensor) throws -> Double {
        var correct = 0
        try evaluating(model, on: set, batchSize: batchSize) { batch in
            correct += try logits(batch.images).argmax(dim: 1).eq(batch.labels).to(.int64).sum().toInts()[0]
        }
        return Double(correct) / Double(max(set.count, 1))
    }

    /// The class `model` predicts (argmax of its logits on normalised images) for each image of `set`, in `set`'s
    /// order: the accuracy loop's batches, evaluation mode, no gradients; the model's previous mode is restored.
    public static func predictions(of model: any Module, on set: ImageSet, normalization: Normalization,
                                   batchSize: Int = 500) throws -> [Int] {
        var predicted: [Int] = []
        predicted.reserveCapacity(set.count)
        try evaluating(model, on: set, batchSize: batchSize) { batch in
            predicted += try model(try normalization.apply(batch.images)).argmax(dim: 1).toInts()
        }
        return predicted
    }

    /// Runs `body` on `set`'s batches in order, with `model` in evaluation mode and no gradients; the model's
    /// previous mode is restored afterwards.
    static func evaluating(_ model: any Module, on set: ImageSet, batchSize: Int,
                                   _ body: (Batch) throws -> Void) throws {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let batches = BatchLoader(set, batchSize: batchSize, shuffle: false).epoch(0)
        try withNoGrad {
            while let batch = try batches.next() { try body(batch) }
        }
    }
}
