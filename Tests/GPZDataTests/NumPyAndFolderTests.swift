import Foundation
import XCTest
@testable import GPZData

final class NumPyTests: XCTestCase {
    func testPaperLayoutNPZWithAuxiliarySplit() throws {
        let root = try Fixtures.folder(self)
        let train = Fixtures.images(8, height: 4, width: 4, classes: 2), test = Fixtures.images(3, height: 4, width: 4, classes: 2)
        let aux = Fixtures.images(5, height: 4, width: 4, classes: 2)
        func arrays(_ s: ImageSet) -> (NPYArray, NPYArray) {
            (NPYArray(uint8: s.pixels, shape: [s.count, s.height, s.width]), NPYArray(int64: s.labels, shape: [s.count]))
        }
        let (tr, trl) = arrays(train), (te, tel) = arrays(test), (au, aul) = arrays(aux)
        for compressed in [true, false] {
            let path = "\(root)/mnist-\(compressed).npz"
            try NumPy.writeNPZ([("train_data", tr), ("train_labels", trl), ("test_data", te), ("test_labels", tel),
                                ("auxiliary_data", au), ("auxiliary_labels", aul)], to: path, compressed: compressed)
            let d = try Catalog.load("npz:\(path)")
            XCTAssertEqual(d.train, train)
            XCTAssertEqual(d.test, test)
            XCTAssertEqual(d.auxiliary, aux)
            XCTAssertEqual(try Catalog.detect(path), .npz)
        }
        // A folder of .npy files works the same way.
        let folder = "\(root)/npy"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        Fixtures.write(NumPy.encodeNPY(tr), to: "\(folder)/train_data.npy")
        Fixtures.write(NumPy.encodeNPY(trl), to: "\(folder)/train_labels.npy")
        XCTAssertEqual(try Catalog.load("npz:\(folder)").train, train)
    }

    func testChannelsLastFloatImagesAndCustomKeys() throws {
        let root = try Fixtures.folder(self)
        let rgb = Fixtures.images(3, channels: 3, height: 2, width: 2, classes: 3)
        let hwc = (0 ..< rgb.count).flatMap { ImageCodec.chwToHWC(Array(rgb.image($0)), channels: 3, height: 2, width: 2) }
        let floats = hwc.map { Float($0) / 255 }
        try NumPy.writeNPZ([("x_train", NPYArray(float32: floats, shape: [3, 2, 2, 3])),
                            ("y_train", NPYArray(float32: rgb.labels.map(Float.init), shape: [3]))], to: "\(root)/keras.npz")
        let d = try Catalog.load("npz:\(root)/keras.npz")
        XCTAssertEqual(d.train, rgb)
        try NumPy.writeNPZ([("imgs", NPYArray(uint8: hwc, shape: [3, 2, 2, 3])), ("ys", NPYArray(int64: rgb.labels, shape: [3, 1]))],
                           to: "\(root)/custom.npz")
        XCTAssertEqual(try Catalog.load("npz:\(root)/custom.npz,train=imgs,train_labels=ys").train, rgb)
        assertDataError(.missing, ["custom.npz: not found: no training arrays", "it has imgs, ys"]) { try Catalog.load("npz:\(root)/custom.npz") }
    }

    func testCorruptNPZ() throws {
        let root = try Fixtures.folder(self)
        let set = Fixtures.images(6, height: 4, width: 4)
        let images = NPYArray(uint8: set.pixels, shape: [6, 4, 4]), labels = NPYArray(int64: set.labels, shape: [6])
        try NumPy.writeNPZ([("train_data", images), ("train_labels", labels)], to: "\(root)/good.npz")
        let good = [UInt8](FileManager.default.contents(atPath: "\(root)/good.npz")!)
        // Truncated archive.
        Fixtures.write(Array(good.prefix(good.count - 60)), to: "\(root)/cut.npz")
        assertDataError(.truncated, ["cut.npz: truncated"]) { try Catalog.load("npz:\(root)/cut.npz") }
        // Not a zip at all.
        Fixtures.write(Array("hello, world".utf8), to: "\(root)/text.npz")
        assertDataError(.wrongMagic, ["text.npz: wrong magic: expected a .npz (zip, PK\\x03\\x04), found 68 65 6c 6c"]) { try Catalog.load("npz:\(root)/text.npz") }
        // Labels not matching images.
        try NumPy.writeNPZ([("train_data", images), ("train_labels", NPYArray(int64: [0, 1], shape: [2]))], to: "\(root)/count.npz")
        assertDataError(.countMismatch, ["count.npz/train_labels: count mismatch: 2 labels, but 'train_data' has 6 images"]) { try Catalog.load("npz:\(root)/count.npz") }
        // Negative label.
        try NumPy.writeNPZ([("train_data", images), ("train_labels", NPYArray(int64: [0, 1, 2, 0, -1, 2], shape: [6]))], to: "\(root)/neg.npz")
        assertDataError(.labelOutOfRange, ["neg.npz/train_labels: label out of range: label -1.0 at index 4"]) { try Catalog.load("npz:\(root)/neg.npz") }
        // Hostile .npy header inside the zip: shape far beyond the stored bytes.
        let hostile = NPYArray(descr: "|u1", shape: [4_000_000_000, 64, 64], data: [1, 2, 3])
        try NumPy.writeNPZ([("train_data", hostile), ("train_labels", labels)], to: "\(root)/hostile.npz")
        assertDataError(.absurdHeader, ["hostile.npz/train_data.npy: absurd header: header says shape (4000000000, 64, 64) of |u1"]) {
            try Catalog.load("npz:\(root)/hostile.npz")
        }
        // Overflowing shape.
        let overflow = NPYArray(descr: "<f8", shape: [Int.max / 2, 4], data: [])
        Fixtures.write(NumPy.encodeNPY(overflow), to: "\(root)/overflow.npy")
        assertDataError(.absurdHeader, ["overflow.npy: absurd header"]) { try NumPy.readNPY(path: "\(root)/overflow.npy") }
        // A .npy with fewer data bytes than its header says; and one with a wrong magic.
        Fixtures.write(Array(NumPy.encodeNPY(images).dropLast(10)), to: "\(root)/short.npy")
        assertDataError(.truncated, ["short.npy: truncated: header says shape (6, 4, 4) of |u1 (96 bytes), file has 86"]) { try NumPy.readNPY(path: "\(root)/short.npy") }
        Fixtures.write(Array("NUMPY and then some bytes".utf8), to: "\(root)/magic.npy")
        assertDataError(.wrongMagic, ["magic.npy: wrong magic: expected a NumPy array"]) { try NumPy.readNPY(path: "\(root)/magic.npy") }
        // Pixels outside 0–255.
        try NumPy.writeNPZ([("train_data", NPYArray(float32: [Float](repeating: 300, count: 96), shape: [6, 4, 4])), ("train_labels", labels)],
                           to: "\(root)/range.npz")
        assertDataError(.badValue, ["pixel values span 300.0…300.0, expected 0–255 or 0–1"]) { try Catalog.load("npz:\(root)/range.npz") }
    }
}

final class ImageFolderTests: XCTestCase {
    func testPNGAndJPEGFoldersWithTrainTestLayout() throws {
        let root = try Fixtures.folder(self)
        let train = Fixtures.images(6, height: 8, width: 9, classes: 3), test = Fixtures.images(3, height: 8, width: 9, classes: 3)
        let names = ["cat", "dog", "emu"]
        try ImageFolderReader.write(train, classNames: names, to: root, split: "train")
        try ImageFolderReader.write(test, classNames: names, to: root, split: "test")
        Fixtures.write(Array("not an image".utf8), to: "\(root)/train/cat/README.txt")
        let d = try Catalog.load("folder:\(root)")
        XCTAssertEqual(d.classNames, names)
        // PNG is lossless; the folder lists images class by class.
        func byClass(_ s: ImageSet) -> ImageSet { s.subset((0 ..< s.count).sorted { (s.labels[$0], $0) < (s.labels[$1], $1) }) }
        XCTAssertEqual(d.train, byClass(train))
        XCTAssertEqual(d.test, byClass(test))
        XCTAssertTrue(d.notes.contains { $0.contains("skipped 1 files") })
        XCTAssertEqual(try Catalog.detect(root), .folder)

        // JPEG, grayscale and colour; colour anywhere makes the whole set RGB.
        let jroot = try Fixtures.folder(self)
        let rgb = Fixtures.images(2, channels: 3, height: 16, width: 16, classes: 2)
        for (k, name) in ["a", "b"].enumerated() {
            try FileManager.default.createDirectory(atPath: "\(jroot)/\(name)", withIntermediateDirectories: true)
            let jpg = try ImageCodec.encodeJPEG(Array(rgb.image(k)), channels: 3, height: 16, width: 16, quality: 100)
            Fixtures.write(jpg, to: "\(jroot)/\(name)/x.jpg")
        }
        let gray = [UInt8](repeating: 77, count: 256)
        Fixtures.write(try ImageCodec.encodePNG(gray, channels: 1, height: 16, width: 16), to: "\(jroot)/a/y.png")
        let j = try Catalog.load("folder:\(jroot)")
        XCTAssertEqual(j.shape, [3, 16, 16])
        XCTAssertEqual(j.train.count, 3)
        XCTAssertEqual(j.train.labels, [0, 0, 1])
        // The gray PNG became three equal planes; the JPEGs are close to the originals.
        XCTAssertEqual(Array(j.train.image(1)), [UInt8](repeating: 77, count: 768))
        let err = zip(j.train.image(0), rgb.image(0)).map { abs(Int($0) - Int($1)) }.max()!
        XCTAssertLessThanOrEqual(err, 12)
    }

    func testCorruptFolders() throws {
        let root = try Fixtures.folder(self)
        let set = Fixtures.images(4, height: 8, width: 8, classes: 2)
        try ImageFolderReader.write(set, classNames: ["a", "b"], to: root)
        XCTAssertEqual(try Catalog.load("folder:\(root)").train.count, 4)
        // An image of another size.
        Fixtures.write(try ImageCodec.encodePNG([UInt8](repeating: 1, count: 63), channels: 1, height: 7, width: 9), to: "\(root)/b/odd.png")
        assertDataError(.mixedSizes, ["b/odd.png: mixed image sizes: 9×7, expected 8×8 like a/00000.png"]) { try Catalog.load("folder:\(root)") }
        // Garbage with an image extension.
        Fixtures.write(Array("GIF89a nope".utf8), to: "\(root)/b/odd.png")
        assertDataError(.unreadableImage, ["b/odd.png: unreadable image: not a PNG or JPEG (first bytes 47 49 46 38)"]) { try Catalog.load("folder:\(root)") }
        // A PNG cut short: the header reads, the pixels do not.
        let png = try ImageCodec.encodePNG(Array(set.image(0)), channels: 1, height: 8, width: 8)
        Fixtures.write(Array(png.prefix(png.count - 20)), to: "\(root)/b/odd.png")
        assertDataError(.unreadableImage, ["b/odd.png: unreadable image: libpng:"]) { try Catalog.load("folder:\(root)") }
        // A JPEG cut short.
        let jpg = try ImageCodec.encodeJPEG(Array(set.image(0)), channels: 1, height: 8, width: 8)
        Fixtures.write(Array(jpg.prefix(jpg.count / 2)), to: "\(root)/b/odd.png")
        assertDataError(.unreadableImage, ["b/odd.png: unreadable image: libjpeg-turbo:"]) { try Catalog.load("folder:\(root)") }
        // Zero-length image.
        Fixtures.write([], to: "\(root)/b/odd.png")
        assertDataError(.emptyFile, ["b/odd.png: empty file"]) { try Catalog.load("folder:\(root)") }
        // A hostile PNG header: 100000×100000 with a valid CRC.
        var big = png
        big.replaceSubrange(16 ..< 24, with: Fixtures.bigEndian(100_000) + Fixtures.bigEndian(100_000))
        let crc = Gzip.crc32(Array(big[12 ..< 29]))
        big.replaceSubrange(29 ..< 33, with: Fixtures.bigEndian(Int(crc)))
        Fixtures.write(big, to: "\(root)/b/odd.png")
        assertDataError(.absurdHeader, ["b/odd.png: absurd header: PNG header says 100000×100000"]) { try Catalog.load("folder:\(root)") }
        try FileManager.default.removeItem(atPath: "\(root)/b/odd.png")
        // An empty class.
        try FileManager.default.createDirectory(atPath: "\(root)/c", withIntermediateDirectories: true)
        assertDataError(.emptyClass, ["c: empty class: no .png/.jpg/.jpeg files"]) { try Catalog.load("folder:\(root)") }
        try FileManager.default.removeItem(atPath: "\(root)/c")
        // A test class the training split does not have.
        try ImageFolderReader.write(set, classNames: ["a", "b"], to: root + "/split", split: "train")
        try ImageFolderReader.write(set, classNames: ["a", "zebra"], to: root + "/split", split: "test")
        assertDataError(.labelOutOfRange, ["test/zebra: label out of range: class 'zebra' is not one of the training classes (a, b)"]) {
            try Catalog.load("folder:\(root)/split")
        }
        assertDataError(.missing, ["nothing: not found"]) { try Catalog.load("folder:\(root)/nothing") }
    }
}
