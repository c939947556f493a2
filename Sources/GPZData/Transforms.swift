import GPZTensor

/// Whole-set image transforms on the compact UInt8 representation. Each returns a new `ImageSet` with the same
/// labels; they run once when a data set is prepared, not per batch (the per-batch flip lives in the loader).
public enum Transforms {
    /// Each image's rows and columns swapped (EMNIST's files store images column-major).
    public static func transposed(_ set: ImageSet) -> ImageSet {
        let (c, h, w) = (set.channels, set.height, set.width)
        var out = [UInt8](repeating: 0, count: set.pixels.count)
        out.withUnsafeMutableBufferPointer { dst in
            set.pixels.withUnsafeBufferPointer { src in
                for plane in 0 ..< set.count * c {
                    let base = plane * h * w
                    for y in 0 ..< h { for x in 0 ..< w { dst[base + x * h + y] = src[base + y * w + x] } }
                }
            }
        }
        return ImageSet(transforming: set, channels: c, height: w, width: h, pixels: out)
    }

    /// Bilinear resize to `height`×`width`, as PIL's `Image.resize(…, BILINEAR)` that torchvision's `Resize`
    /// uses on PIL images: a triangle filter on pixel centres, widened when shrinking (so downsizing averages
    /// instead of aliasing). When enlarging it equals `torch.nn.functional.interpolate(mode="bilinear",
    /// align_corners=False)`. Results are rounded back to UInt8.
    public static func resized(_ set: ImageSet, height: Int, width: Int) -> ImageSet {
        precondition(height > 0 && width > 0, "resize to \(height)×\(width)")
        if height == set.height && width == set.width { return set }
        let xTaps = filterTaps(inSize: set.width, outSize: width)
        let yTaps = filterTaps(inSize: set.height, outSize: height)
        let (h, w) = (set.height, set.width)
        let planes = set.count * set.channels
        var out = [UInt8](repeating: 0, count: planes * height * width)
        var mid = [Float](repeating: 0, count: h * width)   // horizontally resized plane
        out.withUnsafeMutableBufferPointer { dst in
            set.pixels.withUnsafeBufferPointer { src in
                mid.withUnsafeMutableBufferPointer { tmp in
                    for p in 0 ..< planes {
                        let s = src.baseAddress! + p * h * w
                        for y in 0 ..< h {
                            for x in 0 ..< width {
                                let t = xTaps[x]
                                var acc: Float = 0
                                for k in 0 ..< t.weights.count { acc += t.weights[k] * Float(s[y * w + t.first + k]) }
                                tmp[y * width + x] = acc
                            }
                        }
                        let d = dst.baseAddress! + p * height * width
                        for y in 0 ..< height {
                            let t = yTaps[y]
                            for x in 0 ..< width {
                                var acc: Float = 0
                                for k in 0 ..< t.weights.count { acc += t.weights[k] * tmp[(t.first + k) * width + x] }
                                d[y * width + x] = UInt8(max(0, min(255, (acc + 0.5).rounded(.down))))
                            }
                        }
                    }
                }
            }
        }
        return ImageSet(transforming: set, channels: set.channels, height: height, width: width, pixels: out)
    }

    /// Square resize.
    public static func resized(_ set: ImageSet, side: Int) -> ImageSet { resized(set, height: side, width: side) }

    struct Taps { var first: Int; var weights: [Float] }

    /// PIL's bilinear (triangle, support 1) filter taps for one axis.
    static func filterTaps(inSize: Int, outSize: Int) -> [Taps] {
        let scale = Double(inSize) / Double(outSize)
        let support = max(scale, 1.0)
        return (0 ..< outSize).map { i in
            let centre = (Double(i) + 0.5) * scale
            let lo = max(0, Int((centre - support + 0.5).rounded(.down)))
            let hi = min(inSize, Int((centre + support + 0.5).rounded(.down)))
            var weights: [Float] = []
            var total = 0.0
            var raw: [Double] = []
            for j in lo ..< max(hi, lo + 1) {
                let x = (Double(j) - centre + 0.5) / support
                let wgt = max(0, 1 - abs(x))
                raw.append(wgt)
                total += wgt
            }
            weights = raw.map { Float(total > 0 ? $0 / total : 0) }
            return Taps(first: lo, weights: weights)
        }
    }

    /// Converts to `channels` (1 or 3): grayscale → RGB repeats the plane; RGB → grayscale uses ITU-R 601-2 luma
    /// (L = 0.299 R + 0.587 G + 0.114 B, as PIL's `convert("L")`).
    public static func converted(_ set: ImageSet, channels: Int) -> ImageSet {
        if channels == set.channels { return set }
        precondition(channels == 1 || channels == 3, "channels must be 1 or 3, not \(channels)")
        let plane = set.height * set.width
        var out = [UInt8](repeating: 0, count: set.count * channels * plane)
        out.withUnsafeMutableBufferPointer { dst in
            set.pixels.withUnsafeBufferPointer { src in
                for i in 0 ..< set.count {
                    if channels == 3 {
                        precondition(set.channels == 1, "cannot convert \(set.channels) channels to 3")
                        for c in 0 ..< 3 {
                            UnsafeMutableRawPointer(dst.baseAddress! + (i * 3 + c) * plane)
                                .copyMemory(from: src.baseAddress! + i * plane, byteCount: plane)
                        }
                    } else {
                        let r = src.baseAddress! + i * set.channels * plane
                        let g = r + plane, b = g + plane
                        for k in 0 ..< plane {
                            let l = (Int(r[k]) * 299 + Int(g[k]) * 587 + Int(b[k]) * 114 + 500) / 1000
                            dst[i * plane + k] = UInt8(min(l, 255))
                        }
                    }
                }
            }
        }
        return ImageSet(transforming: set, channels: channels, height: set.height, width: set.width, pixels: out)
    }

    /// Resized and channel-converted to `shape` = [C, H, W]: what `cross:` auxiliary data goes through to match
    /// the target data set.
    public static func conformed(_ set: ImageSet, to shape: [Int]) -> ImageSet {
        precondition(shape.count == 3)
        // Channels first when shrinking to gray (less to resize), last when growing to RGB.
        if shape[0] < set.channels {
            return resized(converted(set, channels: shape[0]), height: shape[1], width: shape[2])
        }
        return converted(resized(set, height: shape[1], width: shape[2]), channels: shape[0])
    }

    /// Mirrors image `i` of a [C, H, W] float buffer left–right in place.
    @inline(__always)
    static func flipHorizontally(_ buffer: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int) {
        for row in 0 ..< channels * height {
            let r = buffer + row * width
            var a = 0, b = width - 1
            while a < b { let t = r[a]; r[a] = r[b]; r[b] = t; a += 1; b -= 1 }
        }
    }
}

/// Per-channel input normalisation `(x − mean) / std`, applied at the model's input only: the images the loader
/// gives (and the reconstruction targets of an attack) stay in [0, 1].
public struct Normalization: Sendable, Equatable, CustomStringConvertible {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count && !mean.isEmpty && std.allSatisfy { $0 > 0 })
        self.mean = mean
        self.std = std
    }

    /// `Normalize((0.5,), (0.5,))`, the official code's choice for grayscale sets (maps [0, 1] to [−1, 1]).
    public static let grayscale = Normalization(mean: [0.5], std: [0.5])
    /// The CIFAR-10 statistics the official code uses for all RGB sets.
    public static let cifar = Normalization(mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.2010])
    /// No change.
    public static func identity(channels: Int) -> Normalization {
        Normalization(mean: [Float](repeating: 0, count: channels), std: [Float](repeating: 1, count: channels))
    }

    /// The official code's default for a data set with `channels` channels.
    public static func standard(channels: Int) -> Normalization { channels == 3 ? .cifar : .grayscale }

    public var channels: Int { mean.count }

    /// `(x − mean) / std` on a [B, C, H, W] tensor (differentiable: gradients flow through to `x`).
    public func apply(_ x: Tensor) throws -> Tensor {
        try TensorError.check(x.rank == 4 && x.size(1) == channels, "normalize",
                              "input \(x.shape) is not [B, \(channels), H, W]")
        let m = try Tensor(mean, shape: [1, channels, 1, 1])
        let s = try Tensor(std, shape: [1, channels, 1, 1])
        return try (x - m) / s
    }

    /// The inverse, `x · std + mean`, to show a normalised tensor as an image.
    public func invert(_ x: Tensor) throws -> Tensor {
        let m = try Tensor(mean, shape: [1, channels, 1, 1])
        let s = try Tensor(std, shape: [1, channels, 1, 1])
        return try x * s + m
    }

    public var description: String { "Normalize(mean: \(mean), std: \(std))" }
}
