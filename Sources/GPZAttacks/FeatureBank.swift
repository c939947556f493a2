import GPZTensor

/// The frozen target's features of the aux images, computed once and shared by every decoder trained on them: all
/// epochs, all decoder seeds, the stronger decoders.
///
/// Row i of a split's bank holds the raw (un-enhanced) features of aux image i, written the first time a batch
/// holding image i runs through the target. A batch reads its rows by its images' indices, so batches come in the
/// stream's own order whether the bank is on or off; only the target's work changes. A split is banked only while
/// the whole bank stays within `budgetBytes` (the rest is recomputed per batch). One bank belongs to one target,
/// one input normalisation and one aux set; the caller keeps them together.
public final class FeatureBank {
    public let sampleCount: Int
    public let budgetBytes: Int
    /// Bytes held by the banked splits.
    public private(set) var bytes = 0
    private var rows: [Int: Tensor] = [:]
    private var written: [Int: [Bool]] = [:]
    private var writtenCount: [Int: Int] = [:]
    private var refused: Set<Int> = []

    /// - Parameters:
    ///   - sampleCount: images in the aux set (the indices batches carry are 0..<sampleCount).
    ///   - budgetBytes: the most the bank may hold; 0 turns it off.
    public init(sampleCount: Int, budgetBytes: Int) {
        self.sampleCount = sampleCount
        self.budgetBytes = budgetBytes
    }

    /// Splits whose every row has been written.
    public var completeSplits: [Int] {
        writtenCount.filter { $0.value == sampleCount }.map(\.key).sorted()
    }

    /// The features at `splits` of the images at `indices`, when every one of those splits is complete; else nil.
    func lookup(_ indices: [Int], at splits: [Int]) throws -> [Int: Tensor]? {
        guard !splits.isEmpty, splits.allSatisfy({ writtenCount[$0] == sampleCount }) else { return nil }
        let index = try Tensor(indices: indices)
        var features: [Int: Tensor] = [:]
        for split in splits { features[split] = try rows[split]!.indexSelect(dim: 0, index: index) }
        return features
    }

    /// Writes a computed batch's features into the rows of `indices`, for every split that is or can be banked.
    func record(_ features: [Int: Tensor], indices: [Int]) throws {
        guard budgetBytes > 0 else { return }
        try AttackError.check(indices.allSatisfy { $0 >= 0 && $0 < sampleCount },
                              "FeatureBank: a batch index lies outside 0..<\(sampleCount)")
        var index: Tensor?
        for (split, z) in features.sorted(by: { $0.key < $1.key }) where !refused.contains(split) {
            if writtenCount[split] == sampleCount { continue }
            try AttackError.check(z.size(0) == indices.count,
                                  "FeatureBank: split \(split) has \(z.size(0)) rows for \(indices.count) indices")
            if rows[split] == nil {
                let shape = [sampleCount] + Array(z.shape.dropFirst())
                let size = shape.reduce(1, *) * z.dtype.byteSize
                guard bytes + size <= budgetBytes else {
                    refused.insert(split)
                    continue
                }
                rows[split] = try Tensor.zeros(shape, dtype: z.dtype)
                written[split] = Array(repeating: false, count: sampleCount)
                writtenCount[split] = 0
                bytes += size
            }
            let rowIndex = try index ?? Tensor(indices: indices)
            index = rowIndex
            try rows[split]!.indexCopyInPlace(dim: 0, index: rowIndex, source: z.detached())
            for i in indices where !written[split]![i] {
                written[split]![i] = true
                writtenCount[split]! += 1
            }
        }
    }
}
