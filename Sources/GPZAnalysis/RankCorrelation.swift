/// Spearman's rank correlation with average ranks for ties.
public enum RankCorrelation {
    /// 1-based ranks of `values`, tied values sharing the average of the ranks they span
    /// ([10, 20, 20, 30] → [1, 2.5, 2.5, 4]).
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = Array(repeating: 0.0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let average = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = average }
            start = end + 1
        }
        return ranks
    }

    /// ρ = the Pearson correlation of the average ranks of `x` and `y`; nil when either is constant (ρ is then
    /// undefined). An error for mismatched lengths, fewer than two pairs or a non-finite value.
    public static func spearman(_ x: [Double], _ y: [Double]) throws -> Double? {
        try AnalysisError.check(x.count == y.count, "rank correlation needs equal lengths, got \(x.count) and \(y.count)")
        try AnalysisError.check(x.count >= 2, "rank correlation needs at least two pairs, got \(x.count)")
        try AnalysisError.check((x + y).allSatisfy(\.isFinite), "rank correlation needs finite values")
        let rx = averageRanks(x), ry = averageRanks(y)
        let mean = Double(x.count + 1) / 2
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for (a, b) in zip(rx, ry) {
            covariance += (a - mean) * (b - mean)
            varianceX += (a - mean) * (a - mean)
            varianceY += (b - mean) * (b - mean)
        }
        guard varianceX > 0, varianceY > 0 else { return nil }
        return covariance / (varianceX * varianceY).squareRoot()
    }
}
