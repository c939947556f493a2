import XCTest
@testable import GPZData

final class IDXTests: XCTestCase {
    func testRawAndGzipFoldersRoundTrip() throws {
        let train = Fixtures.images(12, classes: 4), test = Fixtures.images(5, classes: 4)
        for gzip in [false, true] {
            let root = Fixtures.idxFolder(try Fixtures.folder(self), train: train, test: test, gzip: gzip)
            let d = try Catalog.load("idx:\(root)")
            XCTAssertEqual(d.format, "idx")
            XCTAssertEqual(d.train, train)
            XCTAssertEqual(d.test, test)
            XCTAssertEqual(d.classes, 4)
            XCTAssertEqual(d.shape, [1, 6, 5])
            // A bare folder path is detected as IDX by its content.
            XCTAssertEqual(try Catalog.load(root).train.count, 12)
        }
    }

    func testEMNISTImagesAreTransposed() throws {
        let train = Fixtures.images(4, height: 5, width: 5)
        let root = try Fixtures.folder(self) + "/emnist"
        // EMNIST stores each image column-major: write the transposes, expect the originals back.
        Fixtures.idxFolder(root, train: Transforms.transposed(train), test: nil, gzip: true, prefix: "emnist-letters-")
        let d = try Catalog.load("idx:\(root)")
        XCTAssertEqual(d.train.pixels, train.pixels)
        XCTAssertTrue(d.notes.contains { $0.contains("transposed") })
        let raw = try Catalog.load("idx:\(root),transpose=0")
        XCTAssertEqual(raw.train.pixels, Transforms.transposed(train).pixels)
    }

    func testPrefixChoosesAmongSeveralSplits() throws {
        let root = try Fixtures.folder(self)
        Fixtures.idxFolder(root, train: Fixtures.images(3), test: nil, gzip: false, prefix: "emnist-digits-")
        Fixtures.idxFolder(root, train: Fixtures.images(7), test: nil, gzip: false, prefix: "emnist-letters-")
        assertDataError(.badOption, ["2 files look like train images", "prefix="]) { try Catalog.load("idx:\(root)") }
        XCTAssertEqual(try Catalog.load("idx:\(root),prefix=emnist-letters").train.count, 7)
    }

    func testTruncatedImagesNameTheClaimAndWhatIsThere() throws {
        let set = Fixtures.images(10, height: 28, width: 28)
        let full = Fixtures.idxImages(set)
        for gzip in [false, true] {
            let root = try Fixtures.folder(self)
            let cut = Array(full.prefix(16 + 1000))
            let name = "train-images-idx3-ubyte" + (gzip ? ".gz" : "")
            Fixtures.write(gzip ? Gzip.compress(cut) : cut, to: "\(root)/\(name)")
            Fixtures.write(Fixtures.idxLabels(set.labels), to: "\(root)/train-labels-idx1-ubyte")
            assertDataError(.truncated, ["\(name): truncated: header says 10 images of 28×28 (7840 bytes), file has 1000"]) {
                try Catalog.load("idx:\(root)")
            }
        }
    }

    func testTruncatedGzipStream() throws {
        let root = try Fixtures.folder(self)
        let set = Fixtures.images(50, height: 28, width: 28)
        let gz = Gzip.compress(Fixtures.idxImages(set))
        Fixtures.write(Array(gz.prefix(gz.count / 2)), to: "\(root)/train-images-idx3-ubyte.gz")
        Fixtures.write(Fixtures.idxLabels(set.labels), to: "\(root)/train-labels-idx1-ubyte")
        assertDataError(.truncated, ["train-images-idx3-ubyte.gz", "header says 50 images of 28×28 (39200 bytes), file has"]) {
            try Catalog.load("idx:\(root)")
        }
    }

    func testWrongMagicNumbers() throws {
        let root = try Fixtures.folder(self)
        let set = Fixtures.images(4)
        // Images and labels swapped.
        Fixtures.write(Fixtures.idxLabels(set.labels), to: "\(root)/train-images-idx3-ubyte")
        Fixtures.write(Fixtures.idxImages(set), to: "\(root)/train-labels-idx1-ubyte")
        assertDataError(.wrongMagic, ["train-images-idx3-ubyte: wrong magic: expected 0x00000803", "found 0x00000801", "swapped?"]) {
            try Catalog.load("idx:\(root)")
        }
        // A PNG where an IDX file should be.
        Fixtures.write([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], to: "\(root)/train-images-idx3-ubyte")
        assertDataError(.wrongMagic, ["found 0x89504E47"]) { try Catalog.load("idx:\(root)") }
        // Float elements are not images.
        Fixtures.write([0, 0, 0x0d, 3] + Fixtures.bigEndian(1) + Fixtures.bigEndian(1) + Fixtures.bigEndian(1) + [0, 0, 0, 0],
                       to: "\(root)/train-images-idx3-ubyte")
        assertDataError(.wrongMagic, ["element type 0xd is not unsigned bytes"]) { try Catalog.load("idx:\(root)") }
    }

    func testCountMismatchAndLabelRange() throws {
        let root = try Fixtures.folder(self)
        let set = Fixtures.images(6)
        Fixtures.write(Fixtures.idxImages(set), to: "\(root)/train-images-idx3-ubyte")
        Fixtures.write(Fixtures.idxLabels(Array(set.labels.prefix(5))), to: "\(root)/train-labels-idx1-ubyte")
        assertDataError(.countMismatch, ["train-labels-idx1-ubyte: count mismatch: has 5 labels, but train-images-idx3-ubyte has 6 images"]) {
            try Catalog.load("idx:\(root)")
        }
        Fixtures.write(Fixtures.idxLabels([0, 1, 2, 0, 1, 12]), to: "\(root)/train-labels-idx1-ubyte")
        assertDataError(.labelOutOfRange, ["train-labels-idx1-ubyte: label out of range: label 12 at index 5, expected 0–9"]) {
            try Catalog.load("idx:\(root),classes=10")
        }
        // A test label beyond the training classes.
        Fixtures.write(Fixtures.idxLabels([0, 1, 2, 0, 1, 2]), to: "\(root)/train-labels-idx1-ubyte")
        Fixtures.write(Fixtures.idxImages(Fixtures.images(2)), to: "\(root)/t10k-images-idx3-ubyte")
        Fixtures.write(Fixtures.idxLabels([1, 7]), to: "\(root)/t10k-labels-idx1-ubyte")
        assertDataError(.labelOutOfRange, ["t10k-labels-idx1-ubyte", "label 7 at index 1, expected 0–2"]) {
            try Catalog.load("idx:\(root)")
        }
    }

    func testHostileHeadersAreRejectedBeforeAllocating() throws {
        let root = try Fixtures.folder(self)
        Fixtures.write(Fixtures.idxLabels([1, 2]), to: "\(root)/train-labels-idx1-ubyte")
        // 4 billion images of 65535×65535: raw and gzipped. Must fail at once, not try to allocate.
        let hostile: [UInt8] = [0, 0, 8, 3] + Fixtures.bigEndian(0xFFFF_FFFF) + Fixtures.bigEndian(60000) + Fixtures.bigEndian(60000) + [1, 2, 3]
        let start = Date()
        for gzip in [false, true] {
            let name = "train-images-idx3-ubyte" + (gzip ? ".gz" : "")
            try? FileManager.default.removeItem(atPath: "\(root)/train-images-idx3-ubyte")
            try? FileManager.default.removeItem(atPath: "\(root)/train-images-idx3-ubyte.gz")
            Fixtures.write(gzip ? Gzip.compress(hostile) : hostile, to: "\(root)/\(name)")
            assertDataError(.absurdHeader, ["\(name): absurd header: header says 4294967295 images of 60000×60000"]) {
                try IDXReader.readImages(path: "\(root)/\(name)")
            }
        }
        // Plausible sides but far more images than the file can hold.
        let claim: [UInt8] = [0, 0, 8, 3] + Fixtures.bigEndian(100_000_000) + Fixtures.bigEndian(28) + Fixtures.bigEndian(28) + [0, 0]
        Fixtures.write(Gzip.compress(claim), to: "\(root)/big.gz")
        assertDataError(.absurdHeader, ["big.gz", "100000000 images of 28×28", "more than a"]) { try IDXReader.readImages(path: "\(root)/big.gz") }
        // Raw: the file size is known before reading, so the claim is reported as truncation, without allocating.
        Fixtures.write(claim, to: "\(root)/big")
        assertDataError(.truncated, ["big: truncated: header says 100000000 images of 28×28 (78400000000 bytes), file has 2"]) {
            try IDXReader.readImages(path: "\(root)/big")
        }
        // Labels too.
        Fixtures.write(Gzip.compress([0, 0, 8, 1] + Fixtures.bigEndian(0x7FFF_FFFF) + [1]), to: "\(root)/labels.gz")
        assertDataError(.absurdHeader, ["labels.gz: absurd header: header says 2147483647 labels"]) { try IDXReader.readLabels(path: "\(root)/labels.gz") }
        Fixtures.write([0, 0, 8, 1] + Fixtures.bigEndian(0x7FFF_FFFF) + [1], to: "\(root)/labels")
        assertDataError(.truncated, ["labels: truncated: header says 2147483647 labels (2147483647 bytes), file has 1"]) { try IDXReader.readLabels(path: "\(root)/labels") }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testMissingEmptyTrailingAndCorruptFiles() throws {
        let root = try Fixtures.folder(self)
        assertDataError(.missing, ["nope: not found"]) { try Catalog.load("idx:\(root)/nope") }
        assertDataError(.missing, ["no train-images-idx3-ubyte"]) { try Catalog.load("idx:\(root)") }
        Fixtures.write([], to: "\(root)/train-images-idx3-ubyte")
        Fixtures.write(Fixtures.idxLabels([0]), to: "\(root)/train-labels-idx1-ubyte")
        assertDataError(.emptyFile, ["train-images-idx3-ubyte: empty file: zero-length file"]) { try Catalog.load("idx:\(root)") }
        Fixtures.write(Fixtures.idxImages(Fixtures.images(1)) + [9, 9], to: "\(root)/train-images-idx3-ubyte")
        assertDataError(.trailingData, ["train-images-idx3-ubyte: trailing data"]) { try Catalog.load("idx:\(root)") }
        Fixtures.write([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3] + [UInt8](repeating: 0xff, count: 40), to: "\(root)/train-images-idx3-ubyte")
        assertDataError(.wrongFormat, ["corrupt gzip data"]) { try Catalog.load("idx:\(root)") }
        Fixtures.write([0, 0, 8], to: "\(root)/train-images-idx3-ubyte")
        assertDataError(.truncated, ["3 bytes, expected a 4-byte IDX magic number"]) { try Catalog.load("idx:\(root)") }
        Fixtures.write([0, 0, 8, 3, 0, 0], to: "\(root)/train-images-idx3-ubyte")
        assertDataError(.truncated, ["header ends after 6 bytes, expected 16"]) { try Catalog.load("idx:\(root)") }
    }
}
