extension ImageSet {
    /// The set reordered round-robin over classes (one image of each class in turn, each class in its original
    /// order), so that the first images of an ordered pass — the ones an attack shows in its grids and the edge
    /// sends with `--limit N` — cover the classes. Attacks and the edge evaluate private images in this order.
    public func classInterleaved() -> ImageSet {
        var byClass: [Int: [Int]] = [:]
        for (index, label) in labels.enumerated() { byClass[label, default: []].append(index) }
        let classes = byClass.keys.sorted()
        var order: [Int] = []
        order.reserveCapacity(count)
        var round = 0
        while order.count < count {
            for label in classes where round < byClass[label]!.count { order.append(byClass[label]![round]) }
            round += 1
        }
        return subset(order)
    }
}
