import Foundation
import XCTest
@testable import GPZData

/// Small data sets the tests write themselves, in every supported format.
enum Fixtures {
    /// A fresh temporary folder, removed when the test case ends.
    static func folder(_ test: XCTestCase) throws -> String {
        let path = NSTemporaryDirectory() + "gpz-data-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// `n` images of channels×height×width whose pixels encode (image, channel, y, x), labels i % classes.
    static func images(_ n: Int, channels: Int = 1, height: Int = 6, width: Int = 5, classes: Int = 3) -> ImageSet {
        var pixels: [UInt8] = []
        for i in 0 ..< n {
            for c in 0 ..< channels {
                for y in 0 ..< height { for x in 0 ..< width { pixels.append(UInt8((i * 37 + c * 80 + y * 11 + x * 3) % 256)) } }
            }
        }
        return ImageSet(channels: channels, height: height, width: width, pixels: pixels, labels: (0 ..< n).map { $0 % classes })
    }

    static func write(_ bytes: [UInt8], to path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    static func bigEndian(_ v: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
    }

    static func idxImages(_ set: ImageSet) -> [UInt8] {
        [0, 0, 8, 3] + bigEndian(set.count) + bigEndian(set.height) + bigEndian(set.width) + set.pixels
    }

    static func idxLabels(_ labels: [Int]) -> [UInt8] {
        [0, 0, 8, 1] + bigEndian(labels.count) + labels.map { UInt8($0) }
    }

    /// An MNIST-style folder: train-/t10k- images and labels, optionally gzipped.
    @discardableResult
    static func idxFolder(_ root: String, train: ImageSet, test: ImageSet?, gzip: Bool, prefix: String = "") -> String {
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let ext = gzip ? ".gz" : ""
        func put(_ bytes: [UInt8], _ name: String) { write(gzip ? Gzip.compress(bytes) : bytes, to: "\(root)/\(prefix)\(name)\(ext)") }
        put(idxImages(train), "train-images-idx3-ubyte")
        put(idxLabels(train.labels), "train-labels-idx1-ubyte")
        if let test {
            put(idxImages(test), "t10k-images-idx3-ubyte")
            put(idxLabels(test.labels), "t10k-labels-idx1-ubyte")
        }
        return root
    }

    /// CIFAR binary records of `set` (3×32×32); CIFAR-100 records get (coarse = label / 5, fine = label).
    static func cifarRecords(_ set: ImageSet, cifar100: Bool) -> [UInt8] {
        var out: [UInt8] = []
        for i in 0 ..< set.count {
            if cifar100 { out.append(UInt8(set.labels[i] / 5)) }
            out.append(UInt8(set.labels[i]))
            out += set.image(i)
        }
        return out
    }

    static func csv(_ set: ImageSet, labelFirst: Bool, header: Bool = false) -> String {
        var lines: [String] = []
        if header {
            let pixelNames = (0 ..< set.imageSize).map { "p\($0)" }
            lines.append((labelFirst ? ["label"] + pixelNames : pixelNames + ["label"]).joined(separator: ","))
        }
        for i in 0 ..< set.count {
            let px = set.image(i).map(String.init)
            let label = String(set.labels[i])
            lines.append((labelFirst ? [label] + px : px + [label]).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Asserts that `body` throws a `DataError` of `kind` whose one-line description contains every fragment.
func assertDataError<T>(_ kind: DataError.Kind, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                        _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected a \(kind.rawValue) error, got a result", file: file, line: line)
    } catch let error as DataError {
        XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        let text = error.description
        XCTAssertFalse(text.contains("\n"), "not one line: \(text)", file: file, line: line)
        for f in fragments { XCTAssertTrue(text.contains(f), "'\(f)' not in: \(text)", file: file, line: line) }
    } catch {
        XCTFail("expected a DataError, got \(type(of: error)): \(error)", file: file, line: line)
    }
}
