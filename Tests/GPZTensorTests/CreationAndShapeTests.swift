import XCTest
@testable import GPZTensor

final class CreationAndShapeTests: XCTestCase {
    func testEveryDtypeRoundTrips() throws {
        let f = try Tensor([1.5, -2, 3] as [Float], shape: [3])
        XCTAssertEqual(f.dtype, .float32)
        XCTAssertEqual(try f.toFloats(), [1.5, -2, 3])
        let d = try Tensor([0.1, 0.2] as [Double])
        XCTAssertEqual(d.dtype, .float64)
        XCTAssertEqual(try d.toDoubles(), [0.1, 0.2])
        let i = try Tensor(indices: [7, -1, 3])
        XCTAssertEqual(i.dtype, .int64)
        XCTAssertEqual(try i.toInts(), [7, -1, 3])
        let b = try Tensor([true, false, true])
        XCTAssertEqual(b.dtype, .bool)
        XCTAssertEqual(try b.toBools(), [true, false, true])
        XCTAssertEqual(try b.to(.float32).toFloats(), [1, 0, 1])
    }

    func testValueCountMustFillShape() throws {
        XCTAssertThrowsError(try Tensor([1, 2, 3] as [Float], shape: [2, 2])) { error in
            XCTAssertEqual("\(error)", "tensor: 3 values do not fill shape [2, 2] (4 elements)")
        }
    }

    func testFactories() throws {
        XCTAssertEqual(try Tensor.zeros([2, 3]).toFloats(), [Float](repeating: 0, count: 6))
        XCTAssertEqual(try Tensor.ones([2], dtype: .float64).toDoubles(), [1, 1])
        XCTAssertEqual(try Tensor.full([1, 2], 7).toFloats(), [7, 7])
        XCTAssertEqual(try Tensor.arange(5).toInts(), [0, 1, 2, 3, 4])
        XCTAssertEqual(try Tensor.arange(0, 1, step: 0.25).toFloats(), [0, 0.25, 0.5, 0.75])
        let r = try Tensor.rand([1000]).toFloats()
        XCTAssertTrue(r.allSatisfy { $0 >= 0 && $0 < 1 })
        let ints = try Tensor.randint(3, 6, [500]).toInts()
        XCTAssertEqual(Set(ints), [3, 4, 5])
        let n = try Tensor.randn([20000], dtype: .float64)
        XCTAssertEqual(try n.mean().item(), 0, accuracy: 0.05)
        XCTAssertEqual(try n.variance().item(), 1, accuracy: 0.05)
        XCTAssertEqual(try Tensor.randperm(6).toInts().sorted(), [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try Tensor(scalar: 2.5).shape, [])
        XCTAssertEqual(try Tensor(scalar: 2.5).item(), 2.5)
    }

    func testReshapeViewPermuteTranspose() throws {
        let x = try Tensor.arange(0, 6, dtype: .float32).reshaped([2, 3])
        XCTAssertEqual(x.shape, [2, 3])
        XCTAssertEqual(try x.reshaped([3, -1]).shape, [3, 2])
        let t = try x.transposed(0, 1)
        XCTAssertEqual(t.shape, [3, 2])
        XCTAssertEqual(try t.contiguous().toFloats(), [0, 3, 1, 4, 2, 5])
        XCTAssertEqual(try x.permuted([1, 0]).toFloats(), [0, 3, 1, 4, 2, 5])
        XCTAssertThrowsError(try t.view([6])) { error in
            XCTAssertTrue("\(error)".hasPrefix("view: [3, 2] and [6]:"), "\(error)")
        }
        XCTAssertThrowsError(try x.reshaped([4, 2])) { error in
            XCTAssertTrue("\(error)".contains("shape '[4, 2]' is invalid for input of size 6"), "\(error)")
        }
    }

    func testSlicingIndexingConcatenation() throws {
        let x = try Tensor.arange(0, 12, dtype: .float32).reshaped([3, 4])
        XCTAssertEqual(try x[1..<3].toFloats(), [4, 5, 6, 7, 8, 9, 10, 11])
        XCTAssertEqual(try x.slice(dim: 1, start: 1, end: 4, step: 2).toFloats(), [1, 3, 5, 7, 9, 11])
        XCTAssertEqual(try x.indexSelect(dim: 0, [2, 0]).toFloats(), [8, 9, 10, 11, 0, 1, 2, 3])
        XCTAssertEqual(try x.gather(dim: 1, index: Tensor(indices: [3, 0, 1], shape: [3, 1])).toFloats(), [3, 4, 9])
        let a = try Tensor([1, 2] as [Float]), b = try Tensor([3] as [Float])
        XCTAssertEqual(try Tensor.cat([a, b]).toFloats(), [1, 2, 3])
        XCTAssertEqual(try Tensor.stack([a, a], dim: 1).shape, [2, 2])
        XCTAssertThrowsError(try Tensor.stack([a, b])) { error in
            XCTAssertTrue("\(error)".hasPrefix("stack: [2] and [1]:"), "\(error)")
        }
        XCTAssertThrowsError(try Tensor.cat([])) { error in
            XCTAssertEqual("\(error)", "cat: empty tensor list")
        }
        let img = try Tensor.zeros([2, 3, 4, 5])
        XCTAssertEqual(try img.flattened(from: 1).shape, [2, 60])
        XCTAssertEqual(try img.flattened().shape, [120])
        XCTAssertEqual(try a.unsqueezed(0).shape, [1, 2])
        XCTAssertEqual(try a.unsqueezed(0).squeezed(0).shape, [2])
        XCTAssertEqual(try b.expanded([2, 3]).toFloats(), [3, 3, 3, 3, 3, 3])
        XCTAssertEqual(try Tensor(indices: [2, 0]).oneHot(classes: 3).toInts(), [0, 0, 1, 1, 0, 0])
    }

    func testIndexOutOfRangeIsAnError() throws {
        let x = try Tensor.zeros([3, 2])
        XCTAssertThrowsError(try x.indexSelect(dim: 0, [5])) { error in
            XCTAssertTrue("\(error)".hasPrefix("index_select: [3, 2] and [1]:"), "\(error)")
        }
        XCTAssertThrowsError(try x.transposed(0, 4)) { error in
            XCTAssertTrue("\(error)".contains("Dimension out of range"), "\(error)")
        }
        XCTAssertThrowsError(try x.item()) { error in
            XCTAssertEqual("\(error)", "item: tensor of shape [3, 2] has 6 elements, expected 1")
        }
    }
}
