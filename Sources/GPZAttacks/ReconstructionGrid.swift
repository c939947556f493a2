import GPZTensor

/// Image grids of originals and their reconstructions, for figures.
public enum ReconstructionGrid {
    /// A grid [C, H′, W′] in [0, 1]: the images are taken `columns` at a time (all at once by default); each
    /// group gives a row of originals with one row per reconstruction set under it, cells separated (and
    /// framed) by `padding` pixels of `padValue`. Missing cells of a last, shorter group are left as padding.
    ///
    /// - Parameters:
    ///   - originals: [N, C, H, W].
    ///   - reconstructions: one or more sets, each shaped like `originals` (e.g. one per attack).
    public static func make(originals: Tensor, reconstructions: [Tensor], columns: Int? = nil, padding: Int = 2,
                            padValue: Double = 1) throws -> Tensor {
        try AttackError.check(originals.rank == 4 && originals.size(0) >= 1,
                              "ReconstructionGrid: originals \(originals.shape) must be a non-empty [N, C, H, W]")
        for set in reconstructions {
            try AttackError.check(set.shape == originals.shape, "ReconstructionGrid: reconstructions \(set.shape) "
                                  + "must have the originals' shape \(originals.shape)")
        }
        let count = originals.size(0)
        let perRow = Swift.min(columns ?? count, count)
        try AttackError.check(perRow >= 1 && padding >= 0,
                              "ReconstructionGrid: columns \(perRow) must be positive and padding \(padding) not negative")
        let (channels, height, width) = (originals.size(1), originals.size(2), originals.size(3))
        let verticalGap = try Tensor.full([channels, padding, perRow * (width + padding) + padding], padValue)
        let cellGap = try Tensor.full([channels, height, padding], padValue)
        let emptyCell = try Tensor.full([channels, height, width], padValue)
        var rows: [Tensor] = [verticalGap]
        for start in stride(from: 0, to: count, by: perRow) {
            for set in [originals] + reconstructions {
                var cells: [Tensor] = [cellGap]
                for column in 0..<perRow {
                    let index = start + column
                    let cell = index < count ? try set.detached().slice(dim: 0, start: index, end: index + 1)
                        .squeezed(0).to(.float32).clamped(min: 0, max: 1) : emptyCell
                    cells += [cell, cellGap]
                }
                rows += [try Tensor.cat(cells, dim: 2), verticalGap]
            }
        }
        return try Tensor.cat(rows, dim: 1)
    }

    /// 8-bit pixels of an image [C, H, W] in [0, 1], row-major with interleaved channels (H·W·C bytes, as a PNG
    /// encoder takes them): round(255 · clamp(v, 0, 1)).
    public static func bytes(_ image: Tensor) throws -> [UInt8] {
        try AttackError.check(image.rank == 3, "ReconstructionGrid: image \(image.shape) must be [C, H, W]")
        let scaled = try (image.detached().to(.float32).clamped(min: 0, max: 1) * 255).rounded()
        return try scaled.permuted([1, 2, 0]).contiguous().toFloats().map { UInt8($0) }
    }
}
