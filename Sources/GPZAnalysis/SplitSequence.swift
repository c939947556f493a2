/// Validation shared by the locators: per-split values listed in forward order.
enum SplitSequence {
    /// Throws unless `splits` is strictly increasing, `values` has one finite number per split, and there are
    /// at least `minimum` splits. `what` names the values in messages.
    static func validate(splits: [Int], values: [Double], what: String, minimum: Int) throws {
        try AnalysisError.check(splits.count == values.count,
                                "\(splits.count) splits but \(values.count) \(what) values")
        try AnalysisError.check(splits.count >= minimum,
                                "at least \(minimum) split(s) needed, got \(splits.count)")
        try AnalysisError.check(zip(splits, splits.dropFirst()).allSatisfy { $0 < $1 },
                                "splits must be strictly increasing (forward order), got \(splits)")
        if let bad = zip(splits, values).first(where: { !$0.1.isFinite }) {
            throw AnalysisError("\(what) at split \(bad.0) is not finite (\(bad.1))")
        }
    }

    /// Positions of `values` from largest to smallest, ties in their original order (as Python's stable
    /// `sorted(…, reverse=True)` orders them).
    static func positionsByDecreasingValue(_ values: [Double]) -> [Int] {
        values.indices.sorted { (values[$0], -$0) > (values[$1], -$1) }
    }
}
