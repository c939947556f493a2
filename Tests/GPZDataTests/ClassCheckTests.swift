import Foundation
import XCTest
@testable import GPZData

/// A data set needs images of at least two classes; a class below the largest label without training images is a
/// warning naming the file.
final class ClassCheckTests: XCTestCase {
    /// `set`'s images with `labels` instead of its own.
    private func relabelled(_ set: ImageSet, _ labels: [Int]) -> ImageSet {
        ImageSet(channels: set.channels, height: set.height, width: set.width, pixels: set.pixels, labels: labels)
    }

    func testAnIDXLabelFileOfOneLabelIsRefusedNamingTheFile() throws {
        let root = try Fixtures.folder(self)
        let images = Fixtures.images(20)
        Fixtures.idxFolder(root, train: relabelled(images, Array(repeating: 200, count: 20)), test: nil, gzip: false)
        assertDataError(.emptyClass, ["train-labels-idx1-ubyte: empty class: only class 200 of 201 has training images (all 20 of them); "
                                      + "a data set needs images of at least two classes"]) {
            try Catalog.load("idx:\(root)")
        }
        // A declared class count does not make one class enough.
        assertDataError(.emptyClass, ["train-labels-idx1-ubyte: empty class: only class 200 of 256 has"]) {
            try Catalog.load("idx:\(root),classes=256")
        }
        // Gzip'ed files are named as they are.
        let gz = try Fixtures.folder(self)
        Fixtures.idxFolder(gz, train: relabelled(images, Array(repeating: 0, count: 20)), test: nil, gzip: true)
        assertDataError(.emptyClass, ["train-labels-idx1-ubyte.gz: empty class: only class 0 of 1 has training images (all 20 of them)"]) {
            try Catalog.load("idx:\(gz)")
        }
    }

    func testEveryFormatRefusesASingleClass() throws {
        let root = try Fixtures.folder(self)
        let one = relabelled(Fixtures.images(4, height: 4, width: 4), [1, 1, 1, 1])
        // CSV with a declared count (without one, the reader first suggests the other column).
        Fixtures.write(Array(Fixtures.csv(one, labelFirst: true).utf8), to: "\(root)/one.csv")
        assertDataError(.emptyClass, ["one.csv: empty class: only class 1 of 3 has training images (all 4 of them)"]) {
            try Catalog.load("csv:\(root)/one.csv,shape=4x4,classes=3")
        }
        assertDataError(.badValue, ["one.csv: bad value: all 4 labels in the first column are 1; is the label the last column? "
                                    + "(use label=last; a data set needs images of at least two classes)"]) {
            try Catalog.load("csv:\(root)/one.csv,shape=4x4")
        }
        // One image: one class.
        Fixtures.write(Array(Fixtures.csv(Fixtures.images(1, height: 4, width: 4), labelFirst: true).utf8), to: "\(root)/single.csv")
        assertDataError(.emptyClass, ["single.csv: empty class: only class 0"]) { try Catalog.load("csv:\(root)/single.csv,shape=4x4") }
        // NumPy.
        try NumPy.writeNPZ([("train_data", NPYArray(uint8: one.pixels, shape: [4, 4, 4])),
                            ("train_labels", NPYArray(int64: one.labels, shape: [4]))], to: "\(root)/one.npz")
        assertDataError(.emptyClass, ["one.npz: empty class: only class 1"]) { try Catalog.load("npz:\(root)/one.npz") }
        // An image folder of one class folder.
        try ImageFolderReader.write(relabelled(one, [0, 0, 0, 0]), classNames: ["cat"], to: "\(root)/folder")
        assertDataError(.emptyClass, ["empty class: only class 0 ('cat') of 1 has training images"]) { try Catalog.load("folder:\(root)/folder") }
        // In memory too.
        assertDataError(.emptyClass, ["toy: empty class"]) {
            try Dataset(name: "toy", format: "test", train: one, test: .empty(channels: 1, height: 4, width: 4),
                        classNames: ["a", "b"], files: [])
        }
    }

    func testAnEmptyClassBelowTheLargestLabelIsAWarningNamingTheFile() throws {
        let root = try Fixtures.folder(self)
        let images = Fixtures.images(12)
        // Labels 0 and 2: class 1 has no image.
        Fixtures.idxFolder(root, train: relabelled(images, (0 ..< 12).map { $0 % 2 * 2 }), test: nil, gzip: false)
        let data = try Catalog.load("idx:\(root)")
        XCTAssertEqual(data.classes, 3)
        XCTAssertEqual(data.warnings, ["train-labels-idx1-ubyte: class 1 has no training images, though the labels run up to 2: "
                                       + "it still counts as one of the 3 classes"])
        // Several, listed up to ten.
        let many = try Fixtures.folder(self)
        Fixtures.idxFolder(many, train: relabelled(images, (0 ..< 12).map { $0 % 2 * 20 }), test: nil, gzip: false)
        let sparse = try Catalog.load("idx:\(many)")
        XCTAssertEqual(sparse.warnings.count, 1)
        XCTAssertTrue(sparse.warnings[0].hasPrefix("train-labels-idx1-ubyte: classes 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … (19 in all) "
                                                   + "have no training images, though the labels run up to 20"), sparse.warnings[0])
        // Classes above the largest label that a declared count adds are not warned about; populated ones never.
        XCTAssertEqual(try Catalog.load("idx:\(root),classes=10").warnings,
                       ["train-labels-idx1-ubyte: class 1 has no training images, though the labels run up to 2: "
                        + "it still counts as one of the 10 classes"])
        let full = try Fixtures.folder(self)
        Fixtures.idxFolder(full, train: Fixtures.images(12, classes: 3), test: nil, gzip: false)
        XCTAssertEqual(try Catalog.load("idx:\(full),classes=10").warnings, [])
        XCTAssertEqual(try Catalog.load("idx:\(full)").warnings, [])
    }
}

/// The same through `gpz data inspect`: exit status 2 and one line for one class, a warning on stderr for an empty one.
extension CLITests {
    func testDataInspectRefusesOneClassAndWarnsOfAnEmptyOne() throws {
        let root = try Fixtures.folder(self)
        let images = Fixtures.images(20, height: 16, width: 16)
        func relabelled(_ labels: [Int]) -> ImageSet {
            ImageSet(channels: 1, height: 16, width: 16, pixels: images.pixels, labels: labels)
        }
        Fixtures.idxFolder(root + "/one", train: relabelled(Array(repeating: 200, count: 20)), test: nil, gzip: false)
        let one = try run(["data", "inspect", "idx:\(root)/one"])
        XCTAssertEqual(one.status, 2, one.err)
        XCTAssertEqual(one.err, "error: train-labels-idx1-ubyte: empty class: only class 200 of 201 has training images (all 20 of them); "
                       + "a data set needs images of at least two classes\n")
        // A scan of it stops the same way, before any training.
        let config = root + "/one.yaml"
        try "target: {dataset: \"idx:\(root)/one\", epochs: 1}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let scan = try run(["scan", "--config", config, "--out", root + "/run"])
        XCTAssertEqual(scan.status, 2, scan.err)
        XCTAssertEqual(scan.err.split(separator: "\n").last.map(String.init),
                       "error: train-labels-idx1-ubyte: empty class: only class 200 of 201 has training images (all 20 of them); "
                       + "a data set needs images of at least two classes", scan.err)
        Fixtures.idxFolder(root + "/gap", train: relabelled((0 ..< 20).map { $0 % 2 * 2 }), test: nil, gzip: false)
        let gap = try run(["data", "inspect", "idx:\(root)/gap"])
        XCTAssertEqual(gap.status, 0, gap.err)
        XCTAssertEqual(gap.err, "warning: train-labels-idx1-ubyte: class 1 has no training images, though the labels run up to 2: "
                       + "it still counts as one of the 3 classes\n")
        XCTAssertTrue(gap.out.contains("3 classes"), gap.out)
    }
}
