import Foundation
import XCTest
import GPZData
import GPZModels
@testable import GPZTraining

/// A checkpoint directory whose description is not a readable regular file, and the leftovers of a write killed
/// midway.
final class CheckpointFileTests: XCTestCase {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gpz-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func assertTrainingError(_ fragment: String, _ body: () throws -> Any?, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            XCTAssertTrue(error is TrainingError, "\(type(of: error)): \(error)", line: line)
            XCTAssertTrue("\(error)".contains(fragment), "\(error)", line: line)
        }
    }

    func testACheckpointDescriptionThatIsAFolderOrADeviceIsNamedAsSuch() throws {
        let folder = try temporaryDirectory()
        try FileManager.default.createDirectory(at: CheckpointStore.infoURL(folder), withIntermediateDirectories: true)
        assertTrainingError("checkpoint.json: is a folder, expected a file") { try CheckpointStore.readInfo(folder) }
        let device = try temporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: CheckpointStore.infoURL(device).path,
                                                   withDestinationPath: "/dev/zero")
        assertTrainingError("checkpoint.json: is a device or special file") { try CheckpointStore.readInfo(device) }
    }

    func testAnImageSizeNoModelCanTakeIsRefusedBeforeTheImagesAreResized() throws {
        let set = ImageSet(channels: 1, height: 16, width: 16, pixels: [UInt8](repeating: 9, count: 8 * 256),
                           labels: (0 ..< 8).map { $0 % 2 })
        let data = try Dataset(name: "tiny", format: "test", train: set, test: set, classNames: ["a", "b"], files: [])
        var config = TrainingConfig()
        config.dataset = "tiny"
        config.imageSize = 1024
        config.epochs = 1
        config.batchSize = 4
        config.cnn4Width = 4
        XCTAssertThrowsError(try TargetTrainer(config: config, dataset: data)) { error in
            XCTAssertEqual((error as? ModelError)?.message, "cnn4: image size is 1024, the limit is \(ModelLimits.maxImageSize)")
        }
    }

    func testTemporariesOfAKilledWriteAreRemovedAndNamedFilesKept() throws {
        let directory = try temporaryDirectory()
        let names = [".weights-epoch-2.safetensors.1B2C.tmp", "checkpoint.json.dat.nosyncA1b2", "weights-epoch-1.safetensors",
                     "checkpoint.json"]
        for name in names { FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data([1])) }
        try CheckpointStore.removeLeftoverTemporaries(directory)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(),
                       ["checkpoint.json", "weights-epoch-1.safetensors"])
    }
}
