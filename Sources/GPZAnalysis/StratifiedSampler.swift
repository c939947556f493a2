import GPZData
/// Chooses which examples of a set to analyse: a seeded sample with as equal a number per class as the class
/// sizes allow.
///
/// Quotas are filled smallest class first: with m classes left and r examples still to place, a class smaller
/// than ⌊r/m⌋ contributes all its examples; the others get ⌊r/m⌋ each, and the r mod m left over go one each to
/// the lowest class labels among them. Within a class the examples are a seeded uniform draw without
/// replacement. Pure index logic: labels in, sorted indices out.
public enum StratifiedSampler {
    /// The analysis default: 5,000 examples per set.
    public static let defaultCount = 5_000

    /// How many examples to take from each class (keyed by label) for `count` in total.
    public static func quotas(classSizes: [Int: Int], count: Int) -> [Int: Int] {
        var quotas: [Int: Int] = [:]
        var remaining = count
        var open = classSizes.keys.sorted { (classSizes[$0]!, $0) < (classSizes[$1]!, $1) }
        while !open.isEmpty {
            let fair = remaining / open.count
            let smallest = open[0]
            if classSizes[smallest]! <= fair {
                quotas[smallest] = classSizes[smallest]!
                remaining -= classSizes[smallest]!
                open.removeFirst()
                continue
            }
            let extra = remaining - fair * open.count
            for (rank, label) in open.sorted().enumerated() {
                quotas[label] = fair + (rank < extra ? 1 : 0)
            }
            open.removeAll()
        }
        return quotas
    }

    /// Indices into `labels` of a stratified sample of `count` examples (all of them when `count` is at least
    /// the set's size), sorted ascending. The same labels, count and seed always give the same indices.
    public static func indices(labels: [Int], count: Int = defaultCount, seed: UInt64 = 0) throws -> [Int] {
        try AnalysisError.check(count > 0, "the sample size must be positive, got \(count)")
        if let negative = labels.first(where: { $0 < 0 }) {
            throw AnalysisError("labels must be non-negative, got \(negative)")
        }
        guard count < labels.count else { return Array(labels.indices) }
        var members: [Int: [Int]] = [:]
        for (index, label) in labels.enumerated() { members[label, default: []].append(index) }
        let quota = quotas(classSizes: members.mapValues(\.count), count: count)
        var generator = SeededRandom(seed: seed)
        var chosen: [Int] = []
        chosen.reserveCapacity(count)
        for label in members.keys.sorted() {
            var pool = members[label]!
            generator.shuffle(&pool)
            chosen.append(contentsOf: pool.prefix(quota[label] ?? 0))
        }
        return chosen.sorted()
    }
}
