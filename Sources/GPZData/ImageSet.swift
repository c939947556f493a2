/// Images of one size kept compactly in memory: UInt8 pixels laid out [N, C, H, W] row-major, plus an integer
/// label per image. Batches become float tensors only when the loader assembles them.
public struct ImageSet: Sendable, Equatable {
    public let channels: Int
    public let height: Int
    public let width: Int
    /// `count * channels * height * width` bytes, image after image, each channel-major (CHW).
    public private(set) var pixels: [UInt8]
    public private(set) var labels: [Int]

    /// Checks that `pixels` fills `labels.count` images of C×H×W.
    public init(channels: Int, height: Int, width: Int, pixels: [UInt8], labels: [Int]) {
        precondition(channels > 0 && height > 0 && width > 0, "ImageSet: empty image shape")
        precondition(pixels.count == labels.count * channels * height * width,
                     "ImageSet: \(pixels.count) pixels do not fill \(labels.count) images of \(channels)×\(height)×\(width)")
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
        self.labels = labels
    }

    /// No images, of the given shape.
    public static func empty(channels: Int, height: Int, width: Int) -> ImageSet {
        ImageSet(channels: channels, height: height, width: width, pixels: [], labels: [])
    }

    public var count: Int { labels.count }
    public var isEmpty: Bool { labels.isEmpty }
    /// Bytes (= values) per image.
    public var imageSize: Int { channels * height * width }
    /// [C, H, W].
    public var shape: [Int] { [channels, height, width] }

    /// The pixels of image `i`.
    public func image(_ i: Int) -> ArraySlice<UInt8> { pixels[i * imageSize ..< (i + 1) * imageSize] }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> ImageSet {
        let size = imageSize
        var out = [UInt8](repeating: 0, count: indices.count * size)
        out.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                for (k, i) in indices.enumerated() {
                    UnsafeMutableRawPointer(dst.baseAddress! + k * size)
                        .copyMemory(from: src.baseAddress! + i * size, byteCount: size)
                }
            }
        }
        return ImageSet(channels: channels, height: height, width: width, pixels: out, labels: indices.map { labels[$0] })
    }

    /// This set followed by `other` (same shape).
    public func appending(_ other: ImageSet) -> ImageSet {
        precondition(other.shape == shape || other.isEmpty, "ImageSet.appending: \(other.shape) vs \(shape)")
        if other.isEmpty { return self }
        return ImageSet(channels: channels, height: height, width: width,
                        pixels: pixels + other.pixels, labels: labels + other.labels)
    }

    /// Images per class for classes 0..<classes.
    public func histogram(classes: Int) -> [Int] {
        var h = [Int](repeating: 0, count: classes)
        for l in labels where l >= 0 && l < classes { h[l] += 1 }
        return h
    }

    /// Per-channel mean and standard deviation of the pixels scaled to [0, 1].
    public func pixelStatistics() -> (mean: [Double], std: [Double]) {
        let plane = height * width
        var sum = [Double](repeating: 0, count: channels)
        var sumSq = [Double](repeating: 0, count: channels)
        pixels.withUnsafeBufferPointer { p in
            for i in 0 ..< count {
                for c in 0 ..< channels {
                    // Integer sums per plane are exact and fast; one Double conversion per plane.
                    var s = 0, s2 = 0
                    let base = (i * channels + c) * plane
                    for k in 0 ..< plane {
                        let v = Int(p[base + k])
                        s += v
                        s2 += v * v
                    }
                    sum[c] += Double(s)
                    sumSq[c] += Double(s2)
                }
            }
        }
        let n = Double(max(count * plane, 1))
        let mean = sum.map { $0 / n / 255 }
        let std = zip(sumSq, mean).map { sq, m in (max(sq / n / (255 * 255) - m * m, 0)).squareRoot() }
        return (mean, std)
    }

    /// Indices of this set's images whose pixels equal some image of `other` (same shape required): the check
    /// that an attacker's data shares no image with a target's training data, whatever names the two were
    /// loaded under.
    public func indicesShared(with other: ImageSet) -> [Int] {
        guard shape == other.shape else { return [] }
        var byHash: [Int: [Int]] = [:]
        for j in 0 ..< other.count { byHash[Self.hash(other.image(j)), default: []].append(j) }
        return (0 ..< count).filter { i in
            let pixels = image(i)
            return byHash[Self.hash(pixels)]?.contains { other.image($0).elementsEqual(pixels) } ?? false
        }
    }

    private static func hash(_ pixels: ArraySlice<UInt8>) -> Int {
        var hasher = Hasher()
        pixels.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }

    /// Replaces pixels and shape (used by the transforms).
    init(transforming other: ImageSet, channels: Int, height: Int, width: Int, pixels: [UInt8]) {
        self.init(channels: channels, height: height, width: width, pixels: pixels, labels: other.labels)
    }
}

/// A data set as read from disk: a training split, a test split (possibly empty), an optional auxiliary split
/// that the files themselves provide (the paper's `.npz` files do), and the class names.
public struct Dataset: Sendable {
    /// The spec it was loaded from (`fashion-mnist`, `idx:/data/kmnist`, …).
    public var name: String
    /// `idx`, `cifar`, `folder`, `csv`, `npz`.
    public var format: String
    public var train: ImageSet
    public var test: ImageSet
    /// An attacker's split shipped with the data (the `auxiliary_*` arrays of the paper's .npz files).
    public var auxiliary: ImageSet?
    public var classNames: [String]
    /// The files it was read from.
    public var files: [String]
    /// Remarks worth showing a person (skipped files, a transposition applied, a missing test split).
    public var notes: [String]
    /// What may not be what was meant (classes below the largest label without training images), one line each
    /// naming the file; `Catalog.load` writes them on standard error (`DataWarnings`).
    public var warnings: [String]

    public var classes: Int { classNames.count }
    public var channels: Int { train.channels }
    public var height: Int { train.height }
    public var width: Int { train.width }
    /// [C, H, W].
    public var shape: [Int] { train.shape }

    /// Builds a data set and validates it: all splits share one image shape with 1 or 3 channels, every label is
    /// in 0..<classes, the training split is not empty and has images of at least two classes. A class below the
    /// largest training label without training images is a warning. Errors and warnings about the classes name
    /// `labelsFile` (the file the training labels came from), or `name` when it is nil.
    public init(name: String, format: String, train: ImageSet, test: ImageSet, auxiliary: ImageSet? = nil,
                classNames: [String], files: [String], notes: [String] = [], labelsFile: String? = nil) throws {
        try DataError.check(!train.isEmpty, .emptyFile, file: name, "no training images")
        try DataError.check(train.channels == 1 || train.channels == 3, .wrongFormat, file: name,
                            "images have \(train.channels) channels, expected 1 (grayscale) or 3 (RGB)")
        for (split, set) in [("test", test), ("auxiliary", auxiliary ?? test)] where !set.isEmpty {
            try DataError.check(set.shape == train.shape, .mixedSizes, file: name,
                                "\(split) images are \(dims(set.shape)), train images are \(dims(train.shape))")
        }
        for (split, set) in [("train", train), ("test", test), ("auxiliary", auxiliary ?? test)] {
            if let bad = set.labels.firstIndex(where: { $0 < 0 || $0 >= classNames.count }) {
                throw DataError(.labelOutOfRange, file: name,
                                "\(split) image \(bad) has label \(set.labels[bad]), expected 0–\(classNames.count - 1)")
            }
        }
        let emptyClasses = try ClassCheck.check(train: train, classNames: classNames, file: labelsFile ?? name)
        self.name = name
        self.format = format
        self.train = train
        self.test = test
        self.auxiliary = auxiliary
        self.classNames = classNames
        self.files = files
        self.notes = notes
        self.warnings = emptyClasses.map { [$0] } ?? []
    }

    /// The input normalisation the official code uses for data of this many channels (grayscale: mean 0.5,
    /// std 0.5; RGB: the CIFAR-10 statistics). Apply it at the model's input, never to reconstruction targets.
    public var normalization: Normalization { .standard(channels: channels) }

    /// Default class names "0", "1", … for `classes` classes.
    public static func numberedClasses(_ classes: Int) -> [String] { (0 ..< classes).map(String.init) }
}
