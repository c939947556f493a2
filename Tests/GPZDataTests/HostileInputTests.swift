import Foundation
import XCTest
@testable import GPZData

/// Inputs built to crash, hang or silently corrupt a reader: each is refused with one line naming the file or
/// field and the limit, before anything large is allocated.
final class HostileInputTests: XCTestCase {
    func testAnAbsurdClassCountInASpecIsRefusedBeforeNamingEveryClass() throws {
        let root = try Fixtures.folder(self)
        try Fixtures.csv(Fixtures.images(6, height: 4, width: 4), labelFirst: true).write(toFile: "\(root)/d.csv", atomically: true, encoding: .utf8)
        assertDataError(.badOption, ["classes=99999999999", "at most \(Budget.maxClasses)"]) {
            try Catalog.load("csv:\(root)/d.csv,classes=99999999999")
        }
        Fixtures.idxFolder(root + "/idx", train: Fixtures.images(6), test: nil, gzip: false)
        assertDataError(.badOption, ["classes=", "at most"]) { try Catalog.load("idx:\(root)/idx,classes=4000000000") }
    }

    func testATypoInTheFirstCSVRowIsAnErrorNotAHeader() throws {
        let root = try Fixtures.folder(self)
        let lines = Fixtures.csv(Fixtures.images(6, height: 4, width: 4), labelFirst: true).split(separator: "\n")
        var first = lines[0].split(separator: ",").map(String.init)
        first[3] = "12a"
        let text = ([first.joined(separator: ",")] + lines.dropFirst().map(String.init)).joined(separator: "\n") + "\n"
        try text.write(toFile: "\(root)/typo.csv", atomically: true, encoding: .utf8)
        assertDataError(.badValue, ["line 1, column 4", "12a"]) { try CSVReader.read(path: "\(root)/typo.csv") }
        first[3] = "1\u{0}"
        let nul = ([first.joined(separator: ",")] + lines.dropFirst().map(String.init)).joined(separator: "\n") + "\n"
        try nul.write(toFile: "\(root)/nul.csv", atomically: true, encoding: .utf8)
        assertDataError(.badValue, ["line 1, column 4"]) { try CSVReader.read(path: "\(root)/nul.csv") }
        // A header of names is still skipped.
        let header = Fixtures.csv(Fixtures.images(6, height: 4, width: 4), labelFirst: true, header: true)
        try header.write(toFile: "\(root)/header.csv", atomically: true, encoding: .utf8)
        XCTAssertEqual(try CSVReader.read(path: "\(root)/header.csv").count, 6)
    }

    func testAGzipCutAtARowBoundaryIsTruncated() throws {
        let root = try Fixtures.folder(self)
        let text = Fixtures.csv(Fixtures.images(50, height: 8, width: 8, classes: 5), labelFirst: true)
        let whole = Gzip.compress(Array(text.utf8), level: 0)
        // Stored blocks: the first half of the text is there byte for byte, the end marker and CRC are not.
        let cut = Array(whole.prefix(whole.count / 2))
        Fixtures.write(cut, to: "\(root)/cut.csv.gz")
        assertDataError(.truncated, ["cut.csv.gz", "without its end marker"]) { try CSVReader.read(path: "\(root)/cut.csv.gz") }
        Fixtures.write(whole, to: "\(root)/whole.csv.gz")
        XCTAssertEqual(try CSVReader.read(path: "\(root)/whole.csv.gz").count, 50)
    }

    func testANPZWhoseDataDoesNotMatchItsCRCIsRefused() throws {
        let root = try Fixtures.folder(self)
        let pixels = [UInt8](repeating: 7, count: 4 * 4 * 4)
        try NumPy.writeNPZ([("x_train", NPYArray(uint8: pixels, shape: [4, 4, 4])),
                            ("y_train", NPYArray(int64: [0, 1, 0, 1], shape: [4]))], to: "\(root)/d.npz", compressed: false)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(root)/d.npz")))
        let run = [UInt8](repeating: 7, count: 64)
        let at = (0 ... bytes.count - 64).first { bytes[$0 ..< $0 + 64].elementsEqual(run) }!
        bytes[at + 10] = 8
        Fixtures.write(bytes, to: "\(root)/bad.npz")
        assertDataError(.wrongFormat, ["x_train.npy", "CRC-32"]) { try Catalog.load("npz:\(root)/bad.npz") }
    }

    func testAGridTooLargeForTheBudgetIsRefusedBeforeAllocation() throws {
        let tall = ImageSet(channels: 1, height: 16_384, width: 1, pixels: [UInt8](repeating: 0, count: 16_384), labels: [0])
        let root = try Fixtures.folder(self)
        assertDataError(.absurdHeader, ["--grid", "limit"]) {
            try SampleGrid.write(tall, classes: 1, to: "\(root)/g.png", perClass: 100, scale: 16)
        }
    }

    func testResizingEveryRoleBeyondTheBudgetIsRefusedBeforeWork() throws {
        let n = 40_000
        let set = ImageSet(channels: 1, height: 1, width: 1, pixels: [UInt8](repeating: 1, count: n),
                           labels: (0 ..< n).map { $0 % 2 })
        let data = try Dataset(name: "tiny", format: "test", train: set, test: set, classNames: ["a", "b"], files: [], notes: [])
        assertDataError(.absurdHeader, ["tiny", "roles' images at 1×1024×1024", "limit"]) {
            try Roles.make(data, plan: SplitPlan(side: 1024))
        }
    }

    func testAnImageFolderBeyondTheBudgetIsRefusedBeforeDecoding() throws {
        let listing = ImageFolderReader.Listing(classNames: ["a"], files: Array(repeating: ("a/x.png", 0), count: 30_000),
                                                skipped: 0)
        assertDataError(.absurdHeader, ["faces", "30000 images of 16384×16384", "limit"]) {
            try ImageFolderReader.decodeAll(root: "/nowhere/faces", listing, channels: 3, height: 16_384, width: 16_384)
        }
    }

    func testAnEndlessBenchmarkIsRefused() throws {
        for seconds in [Double.infinity, 1e300, .nan, -1] {
            assertDataError(.badOption, ["--seconds"]) {
                try LoaderBenchmark.run(Fixtures.images(4), batchSize: 2, prefetch: 0, minimumSeconds: seconds)
            }
        }
    }

    func testLongUserTextIsEchoedBounded() {
        let error = DataError(.missing, file: String(repeating: "x", count: 100_000), "no such file")
        XCTAssertLessThan(error.description.count, 400)
        XCTAssertTrue(error.description.hasSuffix("no such file"))
    }
}
