import Foundation
import XCTest
@testable import GPZData

/// Hostile command lines end with status 2 and one line naming the option, file or path.
extension CLITests {
    func testAnEndlessBenchIsRefused() throws {
        for seconds in ["inf", "1e300", "nan"] {
            let result = try run(["data", "bench", "synthetic", "--seconds", seconds])
            XCTAssertEqual(result.status, 2, result.err)
            XCTAssertTrue(result.err.hasPrefix("error: bench: bad option:"), result.err)
        }
    }

    func testFileSystemErrorsAreOneLineWithThePathAndTheReason() throws {
        let root = try Fixtures.folder(self)
        Fixtures.idxFolder(root + "/ok", train: Fixtures.images(20, height: 16, width: 16, classes: 2),
                           test: Fixtures.images(8, height: 16, width: 16, classes: 2), gzip: false)
        let grid = try run(["data", "inspect", "idx:\(root)/ok", "--grid", root])
        XCTAssertEqual(grid.status, 2, grid.err)
        XCTAssertEqual(grid.err.split(separator: "\n").count, 1, grid.err)
        XCTAssertTrue(grid.err.hasPrefix("error: \(root): cannot write: "), grid.err)
        XCTAssertTrue(grid.err.hasSuffix("cannot write: is a folder, expected a file\n"), grid.err)
        let file = root + "/plain-file"
        FileManager.default.createFile(atPath: file, contents: Data([1]))
        let train = try run(["train", "--data", "idx:\(root)/ok", "--epochs", "1", "--width", "4", "--out", file + "/ckpt"])
        XCTAssertEqual(train.status, 2, train.err)
        XCTAssertTrue(train.err.split(separator: "\n").last?.hasPrefix("error: ") == true, train.err)
        XCTAssertTrue(train.err.contains("plain-file is not a folder"), train.err)
        XCTAssertFalse(train.err.contains("internal error"), train.err)
    }

    func testFileSystemMessagesNameThePOSIXReason() throws {
        let root = try Fixtures.folder(self)
        XCTAssertThrowsError(try Data([1]).write(to: URL(fileURLWithPath: root))) { error in
            let message = fileSystemMessage(error) ?? "nil"
            XCTAssertTrue(message.hasPrefix(root + ": "), message)
            XCTAssertEqual(message, root + ": is a folder, expected a file")
        }
        let file = root + "/file"
        FileManager.default.createFile(atPath: file, contents: Data([1]))
        XCTAssertThrowsError(try FileManager.default.createDirectory(atPath: file, withIntermediateDirectories: true)) { error in
            XCTAssertEqual(fileSystemMessage(error), file + ": is a file, expected a folder")
        }
        XCTAssertNil(fileSystemMessage(DataError(.missing, file: "x", "y")))
    }
}
