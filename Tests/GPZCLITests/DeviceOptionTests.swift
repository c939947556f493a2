import Foundation
import GPZAttacks
import GPZReport
import GPZScan
import GPZTensor
import GPZTestSupport
import XCTest
@testable import gpz

/// `--device` and the scan file's `device:` field: parsed into `Device`, and a device that does not exist is one
/// `error: device: …` line with exit status 2, the same from the option and from the file.
final class DeviceOptionTests: XCTestCase {
    func testParsing() throws {
        XCTAssertNil(try TrainCommand.parse(["--out", "o"]).deviceOption.device)
        XCTAssertEqual(try TrainCommand.parse(["--out", "o", "--device", "cuda:1"]).deviceOption.device, .cuda(1))
        XCTAssertEqual(try ScanCommand.parse(["--preset", "quick", "--device", "cpu"]).deviceOption.device, .cpu)
        XCTAssertThrowsError(try AttackCommand.parse(["--checkpoint", "c", "--out", "o", "--device", "gpu"]))
        XCTAssertEqual(ScanConfig().device, .auto)
    }

    func testMissingCUDAIsOneLineExitTwoFromOptionAndFile() throws {
        try require(.noCUDADevice)
        let folder = try makeTemporaryDirectory("gpz-device")
        let expected = "error: device: cuda:0 asked for, but CUDA is not available"
        let option = try GPZExecutable.run(["train", "--device", "cuda", "--epochs", "1",
                                            "--out", folder.appendingPathComponent("t").path], besides: Self.self)
        XCTAssertEqual(option.status, 2, option.stderr)
        XCTAssertTrue(option.stderr.hasPrefix(expected), option.stderr)
        XCTAssertEqual(option.stderr.filter { $0 == "\n" }.count, 1, option.stderr)

        let file = folder.appendingPathComponent("scan.yaml")
        try "name: s\ndevice: cuda\n".write(to: file, atomically: true, encoding: .utf8)
        let scan = try GPZExecutable.run(["scan", "--config", file.path, "--out", folder.appendingPathComponent("s").path],
                                         besides: Self.self)
        XCTAssertEqual(scan.status, 2, scan.stderr)
        XCTAssertTrue(scan.stderr.contains(expected), scan.stderr)

        try "name: s\ndevice: tpu\n".write(to: file, atomically: true, encoding: .utf8)
        let bad = try GPZExecutable.run(["scan", "--config", file.path, "--out", folder.appendingPathComponent("s").path],
                                        besides: Self.self)
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.hasPrefix("error: scan.yaml: device: expected cpu, cuda, cuda:N or auto, got \"tpu\""),
                      bad.stderr)
    }
}
