import Foundation
import GPZConfig

/// What `gpz data inspect` reports about a data set.
public struct DatasetSummary: Codable, Sendable, Equatable {
    public var name: String
    public var format: String
    /// Images in the training split.
    public var train: Int
    /// Images in the test split (0 when the data set has none).
    public var test: Int
    /// Images in a shipped auxiliary split, if any.
    public var auxiliary: Int?
    /// [C, H, W].
    public var shape: [Int]
    public var classes: Int
    public var classNames: [String]
    /// Images per class in each split (`train`, `test`, and `auxiliary` when present).
    public var histogram: [String: [Int]]
    /// Per-channel pixel mean and standard deviation of the training split, in [0, 1].
    public var mean: [Double]
    public var std: [Double]
    public var files: [String]
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case name, format, train, test, auxiliary, shape, classes, classNames = "class_names", histogram, mean, std, files, notes
    }

    public init(_ d: Dataset) {
        name = d.name
        format = d.format
        train = d.train.count
        test = d.test.count
        auxiliary = d.auxiliary?.count
        shape = d.shape
        classes = d.classes
        classNames = d.classNames
        histogram = ["train": d.train.histogram(classes: d.classes), "test": d.test.histogram(classes: d.classes)]
        if let a = d.auxiliary { histogram["auxiliary"] = a.histogram(classes: d.classes) }
        let stats = d.train.pixelStatistics()
        mean = stats.mean.map { ($0 * 1e4).rounded() / 1e4 }
        std = stats.std.map { ($0 * 1e4).rounded() / 1e4 }
        files = d.files
        notes = d.notes
    }

    /// One JSON object on one line, keys sorted.
    public func json() throws -> String {
        return try CanonicalJSON.line(self)
    }

    /// A few lines for a person.
    public func text() -> String {
        var lines: [String] = []
        lines.append("\(name) (\(format)): \(train) train, \(test) test" + (auxiliary.map { ", \($0) auxiliary" } ?? "")
                     + "; images \(dims(shape)) (C×H×W); \(classes) classes")
        lines.append("pixel mean \(mean.map { String(format: "%.4f", $0) }.joined(separator: " ")), std \(std.map { String(format: "%.4f", $0) }.joined(separator: " ")) (train, [0, 1] scale)")
        let width = max(5, classNames.map(\.count).max() ?? 0)
        let splits = ["train", "test", "auxiliary"].filter { histogram[$0] != nil && ($0 != "test" || test > 0) }
        lines.append("class".padding(toLength: width, withPad: " ", startingAt: 0) + splits.map { " " + $0.leftPadded(9) }.joined())
        for (c, n) in classNames.enumerated() {
            lines.append("\(c) \(n)".padding(toLength: max(width, "\(c) \(n)".count), withPad: " ", startingAt: 0)
                         + splits.map { " " + String(histogram[$0]![c]).leftPadded(9) }.joined())
        }
        for note in notes { lines.append("note: \(note)") }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}

/// A PNG-ready grid of sample images: one row per class, the first `perClass` images of that class (in index
/// order, so the grid is reproducible), each scaled up by `scale` with a `gap`-pixel mid-grey border.
public enum SampleGrid {
    /// At most this many class rows are drawn (a 530-identity face set would otherwise make a huge image).
    public static let maxRows = 100

    /// The grid's pixels; throws `absurdHeader` when the grid would exceed `Budget.maxGridBytes` (a large image
    /// times the scale and the samples per class), before anything is allocated.
    public static func render(_ set: ImageSet, classes: Int, perClass: Int = 10, scale: Int = 2, gap: Int = 2) throws
        -> (pixels: [UInt8], channels: Int, height: Int, width: Int) {
        let rows = min(max(classes, 1), maxRows)
        let perClass = min(max(perClass, 1), 100)
        let scale = min(max(scale, 1), 16)
        let gap = min(max(gap, 0), 64)
        let (c, h, w) = (set.channels, set.height * scale, set.width * scale)
        let height = rows * h + (rows + 1) * gap
        let width = perClass * w + (perClass + 1) * gap
        try Budget.bytes([c, height, width], "a grid of \(rows) rows × \(perClass) images of \(set.height * scale)×\(set.width * scale) px",
                         file: "--grid", limit: Budget.maxGridBytes)
        var out = [UInt8](repeating: 128, count: c * height * width)
        var picked = [[Int]](repeating: [], count: rows)
        for (i, l) in set.labels.enumerated() where l < rows && picked[l].count < perClass { picked[l].append(i) }
        for (row, members) in picked.enumerated() {
            for (col, i) in members.enumerated() {
                let image = set.image(i)
                let top = gap + row * (h + gap), left = gap + col * (w + gap)
                for ch in 0 ..< c {
                    for y in 0 ..< h {
                        for x in 0 ..< w {
                            let v = image[image.startIndex + (ch * set.height + y / scale) * set.width + x / scale]
                            out[(ch * height + top + y) * width + left + x] = v
                        }
                    }
                }
            }
        }
        return (out, c, height, width)
    }

    /// Renders and writes the grid of `set` to `path` as a PNG.
    public static func write(_ set: ImageSet, classes: Int, to path: String, perClass: Int = 10, scale: Int = 2) throws {
        let g = try render(set, classes: classes, perClass: perClass, scale: scale)
        try ImageCodec.writePNG(g.pixels, channels: g.channels, height: g.height, width: g.width, to: path)
    }
}
