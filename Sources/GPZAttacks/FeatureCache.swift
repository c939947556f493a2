import GPZTensor

/// The (images, observed features) pairs of one pass over the aux data, kept while they fit in a byte budget.
/// Once a whole pass has been stored the cache is complete and later epochs can replay it; if the budget is
/// exceeded the cache empties itself and stays off.
final class FeatureCache {
    let budgetBytes: Int
    private(set) var entries: [(images: Tensor, features: [Int: Tensor])] = []
    private(set) var bytes = 0
    private(set) var isComplete = false
    private var overflowed = false

    init(budgetBytes: Int) {
        self.budgetBytes = budgetBytes
    }

    /// Keeps one batch unless caching is off, full or already complete.
    func store(images: Tensor, features: [Int: Tensor]) {
        guard budgetBytes > 0, !overflowed, !isComplete else { return }
        bytes += ([images] + Array(features.values)).reduce(0) { $0 + $1.count * $1.dtype.byteSize }
        if bytes > budgetBytes {
            overflowed = true
            entries = []
        } else {
            entries.append((images, features))
        }
    }

    /// Marks the end of a pass: a cache that kept every batch of it is complete.
    func finishPass() {
        if budgetBytes > 0, !overflowed, !entries.isEmpty { isComplete = true }
    }
}
