import ArgumentParser
import Foundation
import GPZTestSupport
import XCTest
@testable import gpz

/// `gpz models`: options parsed by the argument parser, every bad argument one `error:` line and exit status 2.
final class ModelsCommandTests: XCTestCase {
    func testOptionsAndDefaults() throws {
        let defaults = try ModelsCommand.parse([])
        XCTAssertNil(defaults.architecture)
        XCTAssertEqual([defaults.imageSize, defaults.channels, defaults.classes, defaults.patchSize], [64, 3, 10, 4])
        XCTAssertFalse(defaults.latency || defaults.json)
        let command = try ModelsCommand.parse(["VIT", "--image-size=32", "--channels", "1", "--classes", "7",
                                               "--patch-size", "8", "--latency", "--json"])
        XCTAssertEqual(command.architecture, "VIT")
        XCTAssertEqual([command.imageSize, command.channels, command.classes, command.patchSize], [32, 1, 7, 8])
        XCTAssertTrue(command.latency && command.json)
    }

    func testNonPositiveValuesAreValidationFailures() {
        XCTAssertThrowsError(try ModelsCommand.parse(["--classes", "0"])) { error in
            XCTAssertEqual(ModelsCommand.message(for: error), "--classes expects a positive integer, got 0")
            XCTAssertEqual(ModelsCommand.exitCode(for: error), .validationFailure)
        }
    }

    func testTheExecutable() throws {
        let json = try gpz(["models", "cnn4", "--image-size", "32", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let table = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(table?["architecture"] as? String, "cnn4")
        XCTAssertEqual((table?["splits"] as? [Any])?.count, 5)

        let unknown = try gpz(["models", "alexnet"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertEqual(unknown.stderr,
                       "error: unknown architecture 'alexnet'; choose one of cnn4, vgg16bn, vgg19bn, resnet18, "
                           + "ir152, vit\n")
        for arguments in [["--image-size", "0"], ["--frob"], ["cnn4", "vit"], ["--image-size"],
                          ["resnet18", "--image-size", "24"]] {
            let run = try gpz(["models"] + arguments)
            XCTAssertEqual(run.status, 2, "\(arguments)")
            XCTAssertTrue(run.stderr.hasPrefix("error: "), "\(arguments): \(run.stderr)")
            XCTAssertEqual(run.stderr.filter { $0 == "\n" }.count, 1, "\(arguments): \(run.stderr)")
        }
    }

    private func gpz(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try GPZExecutable.run(arguments, besides: Self.self)
    }
}
