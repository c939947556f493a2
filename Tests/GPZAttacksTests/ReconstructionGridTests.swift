import GPZTestSupport
import XCTest
import GPZAttacks
import GPZTensor

final class ReconstructionGridTests: SeededTestCase {
    func testOriginalsOnTopAndReconstructionsUnderThem() throws {
        let originals = try Tensor.zeros([3, 1, 4, 4])
        let reconstructions = try Tensor.ones([3, 1, 4, 4])
        let grid = try ReconstructionGrid.make(originals: originals, reconstructions: [reconstructions], columns: 2,
                                               padding: 1, padValue: 0.5)
        XCTAssertEqual(grid.shape, [1, 4 * 5 + 1, 2 * 5 + 1])
        func pixel(_ row: Int, _ column: Int) throws -> Double {
            try grid.slice(dim: 1, start: row, end: row + 1).slice(dim: 2, start: column, end: column + 1).item()
        }
        XCTAssertEqual(try pixel(0, 0), 0.5)
        XCTAssertEqual(try pixel(1, 1), 0, "first original")
        XCTAssertEqual(try pixel(6, 1), 1, "its reconstruction under it")
        XCTAssertEqual(try pixel(11, 1), 0, "third original, second group")
        XCTAssertEqual(try pixel(16, 1), 1, "its reconstruction")
        XCTAssertEqual(try pixel(11, 6), 0.5, "missing cell of the short group")
        let bytes = try ReconstructionGrid.bytes(grid)
        XCTAssertEqual(bytes.count, 21 * 11)
        XCTAssertEqual(bytes[0], 128)
        XCTAssertEqual(bytes[6 * 11 + 1], 255)
    }

    func testRGBBytesInterleaveChannels() throws {
        let image = try Tensor([Float(1), 0, 0.5], shape: [3, 1, 1])
        XCTAssertEqual(try ReconstructionGrid.bytes(image), [255, 0, 128])
        XCTAssertThrowsError(try ReconstructionGrid.make(originals: Tensor.zeros([2, 3, 4, 4]),
                                                         reconstructions: [Tensor.zeros([2, 1, 4, 4])]))
    }
}
