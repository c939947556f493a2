import Foundation
import GPZTestSupport
import XCTest
@testable import GPZData

final class BuiltinDatasetTests: XCTestCase {
    func testFashionMNIST() throws {
        try require(.fashionMNIST)
        let d = try Catalog.load("fashion-mnist")
        let s = DatasetSummary(d)
        XCTAssertEqual(s.train, 60_000)
        XCTAssertEqual(s.test, 10_000)
        XCTAssertEqual(s.shape, [1, 28, 28])
        XCTAssertEqual(s.histogram["train"], [Int](repeating: 6_000, count: 10))
        XCTAssertEqual(s.histogram["test"], [Int](repeating: 1_000, count: 10))
        XCTAssertEqual(s.mean[0], 0.2860, accuracy: 1e-3)   // the published Fashion-MNIST statistics
        XCTAssertEqual(s.std[0], 0.3530, accuracy: 1e-3)
        let roles = try Roles.make(d, plan: SplitPlan(seed: 0))
        XCTAssertEqual(roles.train.count, 48_000)
        XCTAssertEqual(roles.aux.count, 12_000)
        XCTAssertTrue(Set(roles.train.indices).isDisjoint(with: roles.aux.indices))
    }

    func testMNIST5kHasItsLabelInTheLastColumn() throws {
        try require(.mnist5k)
        let d = try Catalog.load("mnist-5k")
        XCTAssertEqual(d.train.count, 5_000)
        XCTAssertEqual(d.test.count, 0)
        XCTAssertEqual(d.train.histogram(classes: 10), [Int](repeating: 500, count: 10))
        XCTAssertEqual(d.shape, [1, 28, 28])
        // Reading the label from the first column instead fails loudly rather than loading nonsense.
        assertDataError(.badValue, ["mnist_5k.csv.gz: bad value: all 5000 labels in the first column are 0; is the label the last column? (use label=last"]) { try Catalog.load("csv:\(Catalog.mnist5kFile)") }
    }

    func testGridIsADecodablePNGOfTheRightSize() throws {
        let set = Fixtures.images(30, height: 28, width: 28, classes: 3)
        let path = try Fixtures.folder(self) + "/grid.png"
        try SampleGrid.write(set, classes: 3, to: path, perClass: 10, scale: 2)
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        let head = try ImageCodec.header(bytes, name: "grid.png")
        XCTAssertEqual(head.width, 10 * 56 + 11 * 2)
        XCTAssertEqual(head.height, 3 * 56 + 4 * 2)
        let decoded = try ImageCodec.decode(bytes, name: "grid.png", channels: 1)
        // Top-left sample = image 0 (class 0), scaled by 2.
        XCTAssertEqual(decoded.pixels[2 * head.width + 2], set.pixels[0])
        XCTAssertEqual(decoded.pixels[0], 128)   // the border
    }
}

final class CLITests: XCTestCase {
    /// `gpz args` run by the executable next to the test bundle: its exit status, standard output and error.
    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try require(.gpzExecutable)
        let gpz = try GPZExecutable.url(besides: Self.self)
        let p = Process()
        p.executableURL = gpz
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit, "killed by a signal")
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testInspectJSONAndExitCodes() throws {
        let root = try Fixtures.folder(self)
        let set = Fixtures.images(20, height: 8, width: 8, classes: 4)
        Fixtures.idxFolder(root + "/ok", train: set, test: Fixtures.images(8, height: 8, width: 8, classes: 4), gzip: true)
        let ok = try run(["data", "inspect", "idx:\(root)/ok", "--json", "--grid", "\(root)/g.png"])
        XCTAssertEqual(ok.status, 0, ok.err)
        let obj = try JSONSerialization.jsonObject(with: Data(ok.out.utf8)) as! [String: Any]
        XCTAssertEqual(obj["train"] as? Int, 20)
        XCTAssertEqual(obj["test"] as? Int, 8)
        XCTAssertEqual(obj["shape"] as? [Int], [1, 8, 8])
        XCTAssertEqual(obj["classes"] as? Int, 4)
        XCTAssertEqual((obj["histogram"] as? [String: [Int]])?["train"], [5, 5, 5, 5])
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(root)/g.png"))
        // Bad input: exit 2, one line on stderr naming the file.
        Fixtures.idxFolder(root + "/bad", train: set, test: nil, gzip: false)
        let full = Fixtures.idxImages(set)
        Fixtures.write(Array(full.prefix(100)), to: "\(root)/bad/train-images-idx3-ubyte")
        let bad = try run(["data", "inspect", "idx:\(root)/bad"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.err, "error: train-images-idx3-ubyte: truncated: header says 20 images of 8×8 (1280 bytes), file has 84\n")
        XCTAssertEqual(bad.out, "")
        let missing = try run(["data", "inspect", "no-such-data-set"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.err.hasPrefix("error: no-such-data-set: not found: unknown data set"), missing.err)
        let splits = try run(["data", "splits", "idx:\(root)/ok", "--seed", "3", "--aux", "sub:0.25"])
        XCTAssertEqual(splits.status, 0, splits.err)
        XCTAssertTrue(splits.out.contains("\"aux_mode\":\"sub:0.25\""), splits.out)
    }
}
