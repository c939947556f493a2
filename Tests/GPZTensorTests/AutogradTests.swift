import XCTest
@testable import GPZTensor

final class AutogradTests: XCTestCase {
    func testBackwardAccumulatesAndZeroGradClears() throws {
        let x = try Tensor([1, 2, 3] as [Double]).requiringGrad()
        XCTAssertTrue(x.requiresGrad)
        XCTAssertNil(x.grad)
        try (x * x).sum().backward()
        XCTAssertEqual(try x.grad?.toDoubles(), [2, 4, 6])
        try (x * 3).sum().backward()
        XCTAssertEqual(try x.grad?.toDoubles(), [5, 7, 9])
        try x.zeroGrad()
        XCTAssertNil(x.grad)
    }

    func testNoGradScopeAndDetach() throws {
        let x = try Tensor([1, 2] as [Double]).requiringGrad()
        let y = try withNoGrad { try x * 2 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(isGradEnabled)
        XCTAssertFalse(try x.detached().requiresGrad)
        XCTAssertThrowsError(try y.sum().backward()) { error in
            XCTAssertTrue("\(error)".hasPrefix("backward: []: element 0 of tensors does not require grad"), "\(error)")
        }
    }

    func testNonScalarBackwardNeedsGradient() throws {
        let x = try Tensor([1, 2] as [Double]).requiringGrad()
        let y = try x * x
        XCTAssertThrowsError(try y.backward()) { error in
            XCTAssertTrue("\(error)".contains("grad can be implicitly created only for scalar outputs"), "\(error)")
        }
        try y.backward(gradient: try Tensor([1, 10] as [Double]))
        XCTAssertEqual(try x.grad?.toDoubles(), [2, 40])
    }

    /// Central differences on f(x) = Σ softmax(x·W)ᵢ · log(1 + exp(xᵢ)) style compositions of core ops.
    func testCoreOpsAgainstFiniteDifferences() throws {
        let w = try Tensor([0.3, -0.2, 0.5, 0.1, 0.7, -0.4, 0.2, 0.9, -0.6] as [Double], shape: [3, 3])
        func f(_ x: Tensor) throws -> Tensor {
            let h = try x.matmul(w).tanh()
            let s = try h.softmax(dim: 1)
            return try (s * (x.exp() + 1).log() + x.sigmoid() * x.pow(2) - x.abs().sqrt() / 4).mean(dims: [1]).sum()
        }
        let values: [Double] = [0.4, -1.1, 0.8, 1.3, -0.6, 0.2]
        let x = try Tensor(values, shape: [2, 3]).requiringGrad()
        try f(x).backward()
        let analytic = try XCTUnwrap(x.grad).toDoubles()
        let eps = 1e-6
        for i in values.indices {
            var plus = values, minus = values
            plus[i] += eps
            minus[i] -= eps
            let numeric = (try f(Tensor(plus, shape: [2, 3])).item() - f(Tensor(minus, shape: [2, 3])).item()) / (2 * eps)
            XCTAssertEqual(analytic[i], numeric, accuracy: 1e-7, "element \(i)")
        }
    }

    func testInPlaceUpdatesAreNotRecorded() throws {
        let p = try Tensor([1, 2] as [Double]).requiringGrad()
        try p.addInPlace(try Tensor([1, 1] as [Double]), alpha: -0.5)
        XCTAssertEqual(try p.toDoubles(), [0.5, 1.5])
        XCTAssertTrue(p.requiresGrad)
        try p.scaleInPlace(2)
        try p.addProductInPlace(try Tensor([2, 2] as [Double]), try Tensor([3, 4] as [Double]), value: 0.5)
        try p.addQuotientInPlace(try Tensor([1, 1] as [Double]), try Tensor([2, 4] as [Double]))
        XCTAssertEqual(try p.toDoubles(), [1 + 3 + 0.5, 3 + 4 + 0.25])
        try p.fill(0)
        XCTAssertEqual(try p.toDoubles(), [0, 0])
        XCTAssertThrowsError(try p.assign(try Tensor.zeros([3], dtype: .float64))) { error in
            XCTAssertTrue("\(error)".hasPrefix("copy_: [2] and [3]:"), "\(error)")
        }
    }

    /// The same seed must give bit-identical random draws and an identical loss sequence.
    func testManualSeedGivesIdenticalTraining() throws {
        func run() throws -> [Float] {
            try Runtime.manualSeed(42)
            let x = try Tensor.randn([64, 8]), target = try Tensor.randn([64, 1])
            let w = try (Tensor.randn([1, 8]) * 0.1).requiringGrad()
            var losses: [Float] = []
            for _ in 0..<5 {
                let noise = try Tensor.rand([64, 1]) * 0.01
                let loss = try (x.linear(weight: w) + noise - target).square().mean()
                try loss.backward()
                losses.append(Float(try loss.item()))
                try w.addInPlace(try XCTUnwrap(w.grad), alpha: -0.1)
                try w.zeroGrad()
            }
            return losses
        }
        let first = try run(), second = try run()
        XCTAssertEqual(first, second)
        XCTAssertLessThan(first[4], first[0])
    }

    func testThreadsDefaultToAvailableCores() throws {
        XCTAssertGreaterThanOrEqual(Runtime.threads, 1)
        let before = Runtime.threads
        try Runtime.setThreads(1)
        XCTAssertEqual(Runtime.threads, 1)
        try Runtime.setThreads(before)
        XCTAssertThrowsError(try Runtime.setThreads(0)) { error in
            XCTAssertEqual("\(error)", "set_num_threads: thread count must be ≥ 1, got 0")
        }
        XCTAssertTrue(Runtime.kernels.hasPrefix("cpu "), Runtime.kernels)
        XCTAssertTrue(Runtime.backendVersion.hasPrefix("2.13"), Runtime.backendVersion)
    }
}
