import GPZScan

/// The splits that no other split beats on both counts: more privacy (a higher reconstruction MSE) for less edge
/// cost (fewer MACs).
enum ParetoFront {
    /// Positions in the arrays of the points on the front, by increasing cost. A point is on the front when every
    /// point that costs at most as much has a lower MSE (of equal costs only the highest MSE counts).
    static func positions(cost: [Double], privacy: [Double]) -> [Int] {
        precondition(cost.count == privacy.count, "one privacy value per cost")
        let order = cost.indices.sorted { a, b in
            cost[a] != cost[b] ? cost[a] < cost[b] : (privacy[a] != privacy[b] ? privacy[a] > privacy[b] : a < b)
        }
        var front: [Int] = []
        var best = -Double.infinity
        for position in order where privacy[position] > best {
            front.append(position)
            best = privacy[position]
        }
        return front
    }
}
