import XCTest
@testable import GPZData

final class CIFARTests: XCTestCase {
    func testCIFAR10FolderReadsAllBatches() throws {
        let root = try Fixtures.folder(self) + "/cifar-10-batches-bin"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let a = Fixtures.images(4, channels: 3, height: 32, width: 32, classes: 10)
        let b = Fixtures.images(3, channels: 3, height: 32, width: 32, classes: 10)
        let t = Fixtures.images(2, channels: 3, height: 32, width: 32, classes: 10)
        Fixtures.write(Fixtures.cifarRecords(a, cifar100: false), to: "\(root)/data_batch_1.bin")
        Fixtures.write(Fixtures.cifarRecords(b, cifar100: false), to: "\(root)/data_batch_2.bin")
        Fixtures.write(Fixtures.cifarRecords(t, cifar100: false), to: "\(root)/test_batch.bin")
        Fixtures.write(Array("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n".utf8), to: "\(root)/batches.meta.txt")
        // The parent folder works too.
        let d = try Catalog.load("cifar:" + (root as NSString).deletingLastPathComponent)
        XCTAssertEqual(d.train, a.appending(b))
        XCTAssertEqual(d.test, t)
        XCTAssertEqual(d.classNames[3], "cat")
        XCTAssertEqual(d.shape, [3, 32, 32])
        XCTAssertEqual(try Catalog.detect(root), .cifar)
    }

    func testCIFAR100FineAndCoarseLabels() throws {
        let root = try Fixtures.folder(self)
        let train = Fixtures.images(6, channels: 3, height: 32, width: 32, classes: 100)
        Fixtures.write(Fixtures.cifarRecords(train, cifar100: true), to: "\(root)/train.bin")
        Fixtures.write(Fixtures.cifarRecords(Fixtures.images(2, channels: 3, height: 32, width: 32), cifar100: true), to: "\(root)/test.bin")
        let fine = try Catalog.load("cifar:\(root)")
        XCTAssertEqual(fine.classes, 100)
        XCTAssertEqual(fine.train.labels, train.labels)
        let coarse = try Catalog.load("cifar:\(root),coarse=1")
        XCTAssertEqual(coarse.classes, 20)
        XCTAssertEqual(coarse.train.labels, train.labels.map { $0 / 5 })
    }

    func testCorruptCIFAR() throws {
        let root = try Fixtures.folder(self)
        let set = Fixtures.images(3, channels: 3, height: 32, width: 32, classes: 10)
        var records = Fixtures.cifarRecords(set, cifar100: false)
        Fixtures.write(Array(records.dropLast(100)), to: "\(root)/data_batch_1.bin")
        Fixtures.write(records, to: "\(root)/test_batch.bin")
        assertDataError(.truncated, ["data_batch_1.bin: truncated: 9119 bytes is not a whole number of 3073-byte CIFAR-10 records", "2 records and 2973 bytes left over"]) {
            try Catalog.load("cifar:\(root)")
        }
        records[3073] = 200   // second record's label
        Fixtures.write(records, to: "\(root)/data_batch_1.bin")
        assertDataError(.labelOutOfRange, ["data_batch_1.bin: label out of range: record 1 has label 200, expected 0–9"]) {
            try Catalog.load("cifar:\(root)")
        }
        Fixtures.write(Gzip.compress(records), to: "\(root)/data_batch_1.bin")
        assertDataError(.wrongFormat, ["gzip data", "unpack the .tar.gz"]) { try Catalog.load("cifar:\(root)") }
        try FileManager.default.removeItem(atPath: "\(root)/test_batch.bin")
        assertDataError(.missing, ["test_batch.bin missing"]) { try Catalog.load("cifar:\(root)") }
        Fixtures.write([], to: "\(root)/test_batch.bin")
        Fixtures.write(Fixtures.cifarRecords(set, cifar100: false), to: "\(root)/data_batch_1.bin")
        assertDataError(.emptyFile, ["test_batch.bin: empty file"]) { try Catalog.load("cifar:\(root)") }
    }
}

final class CSVTests: XCTestCase {
    func testLabelFirstLastHeaderAndGzip() throws {
        let root = try Fixtures.folder(self)
        let set = Fixtures.images(7, height: 4, width: 4, classes: 3)
        Fixtures.write(Array(Fixtures.csv(set, labelFirst: true, header: true).utf8), to: "\(root)/first.csv")
        Fixtures.write(Gzip.compress(Array(Fixtures.csv(set, labelFirst: false).utf8)), to: "\(root)/last.csv.gz")
        let first = try Catalog.load("csv:\(root)/first.csv")
        XCTAssertEqual(first.train, set)
        XCTAssertEqual(first.test.count, 0)
        let last = try Catalog.load("csv:\(root)/last.csv.gz,label=last")
        XCTAssertEqual(last.train, set)
        XCTAssertEqual(try Catalog.detect("\(root)/last.csv.gz"), .csv)
        // RGB with an explicit shape.
        let rgb = Fixtures.images(2, channels: 3, height: 2, width: 3)
        Fixtures.write(Array(Fixtures.csv(rgb, labelFirst: true).utf8), to: "\(root)/rgb.csv")
        XCTAssertEqual(try Catalog.load("csv:\(root)/rgb.csv,shape=3x2x3").train, rgb)
    }

    func testCorruptCSV() throws {
        let root = try Fixtures.folder(self)
        Fixtures.write(Array("1,0,0,0,0\n2,0,0,0\n".utf8), to: "\(root)/ragged.csv")
        Fixtures.write(Array("0,1,2,3,4\n0,5,6,7,8\n".utf8), to: "\(root)/oneclass.csv")
        assertDataError(.badValue, ["oneclass.csv: bad value: all 2 labels in the first column are 0; is the label the last column?"]) {
            try Catalog.load("csv:\(root)/oneclass.csv")
        }
        assertDataError(.emptyClass, ["oneclass.csv: empty class: only class 0 of 1 has training images"]) {
            try Catalog.load("csv:\(root)/oneclass.csv,classes=1")
        }
        assertDataError(.countMismatch, ["ragged.csv: count mismatch: line 2 has 4 columns, expected 5"]) { try Catalog.load("csv:\(root)/ragged.csv") }
        Fixtures.write(Array("1,0,0,0,0\n2,0,x,0,0\n".utf8), to: "\(root)/text.csv")
        assertDataError(.badValue, ["text.csv: bad value: line 2, column 3: \"x\" is not an integer"]) { try Catalog.load("csv:\(root)/text.csv") }
        Fixtures.write(Array("1,0,0,0,300\n".utf8), to: "\(root)/range.csv")
        assertDataError(.badValue, ["range.csv", "line 1, column 5: pixel 300, expected 0–255"]) { try Catalog.load("csv:\(root)/range.csv") }
        Fixtures.write(Array("11,0,0,0,3\n".utf8), to: "\(root)/label.csv")
        assertDataError(.labelOutOfRange, ["label.csv: label out of range: line 1: label 11 in the first column, expected 0–9"]) {
            try Catalog.load("csv:\(root)/label.csv,classes=10")
        }
        Fixtures.write(Array("1,0,0,0,0,0\n".utf8), to: "\(root)/odd.csv")
        assertDataError(.wrongFormat, ["5 pixel columns are neither a square grayscale nor a square RGB image"]) { try Catalog.load("csv:\(root)/odd.csv") }
        Fixtures.write(Array("\n\n".utf8), to: "\(root)/blank.csv")
        assertDataError(.emptyFile, ["blank.csv: empty file: no data lines"]) { try Catalog.load("csv:\(root)/blank.csv") }
        Fixtures.write([], to: "\(root)/zero.csv")
        assertDataError(.emptyFile, ["zero.csv: empty file: zero-length file"]) { try Catalog.load("csv:\(root)/zero.csv") }
        Fixtures.write(Array("1,0,0,0,0\n".utf8), to: "\(root)/ok.csv")
        assertDataError(.badOption, ["label=middle, expected first or last"]) { try Catalog.load("csv:\(root)/ok.csv,label=middle") }
        assertDataError(.countMismatch, ["4 pixel columns, shape 1×3×3 needs 9"]) { try Catalog.load("csv:\(root)/ok.csv,shape=3x3") }
        assertDataError(.badOption, ["prefix not understood by csv:"]) { try Catalog.load("csv:\(root)/ok.csv,prefix=x") }
    }
}
