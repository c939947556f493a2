import GPZTensor
import GPZTestSupport
import XCTest

final class DeviceTests: XCTestCase {
    func testSpellingsParseAndPrintBack() {
        XCTAssertEqual(Device("cpu"), .cpu)
        XCTAssertEqual(Device("auto"), .auto)
        XCTAssertEqual(Device("cuda"), .cuda(0))
        XCTAssertEqual(Device("cuda:3"), .cuda(3))
        for bad in ["gpu", "cuda:", "cuda:-1", "cuda:01", "cuda:x", "CPU", ""] { XCTAssertNil(Device(bad), bad) }
        XCTAssertEqual(Device.cuda(2).description, "cuda:2")
    }

    func testCodableAsAString() throws {
        let data = try JSONEncoder().encode([Device.cuda(1), .cpu, .auto])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"["cuda:1","cpu","auto"]"#)
        XCTAssertEqual(try JSONDecoder().decode([Device].self, from: data), [.cuda(1), .cpu, .auto])
        XCTAssertThrowsError(try JSONDecoder().decode([Device].self, from: Data(#"["tpu"]"#.utf8)))
    }

    /// On a machine without a CUDA device: auto falls back to the CPU and asking for CUDA is a one-line error.
    func testMissingCUDAIsAnErrorAndAutoFallsBack() throws {
        try require(.noCUDADevice)
        XCTAssertEqual(try Device.auto.resolved(), .cpu)
        XCTAssertThrowsError(try Device.use(.cuda(0))) { error in
            XCTAssertTrue(error is DeviceError)
            XCTAssertTrue("\(error)".hasPrefix("cuda:0 asked for, but CUDA is not available"), "\(error)")
        }
        XCTAssertEqual(Device.current, .cpu, "a failed switch keeps the previous device")
        XCTAssertThrowsError(try Tensor([1, 2] as [Float], shape: [2]).to(.cuda(0)))
    }

    func testFactoriesCreateOnTheDefaultDeviceAndMovesKeepValues() throws {
        try Device.use(.cpu)
        let x = try Tensor([1, 2, 3] as [Float], shape: [3])
        XCTAssertEqual(try x.device, .cpu)
        XCTAssertEqual(try Tensor.zeros([2]).device, .cpu)
        let target = try Device.auto.resolved()
        let moved = try x.to(target)
        XCTAssertEqual(try moved.device, target)
        XCTAssertEqual(try moved.toFloats(), [1, 2, 3], "reading values copies to the CPU")
    }
}
