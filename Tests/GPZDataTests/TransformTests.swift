import GPZConfig
import GPZTensor
import XCTest
@testable import GPZData

final class TransformTests: XCTestCase {
    func testUpscaleMatchesLibtorchBilinear() throws {
        let set = Fixtures.images(3, channels: 1, height: 28, width: 28)
        for side in [32, 64] {
            let mine = Transforms.resized(set, side: side)
            XCTAssertEqual(mine.shape, [1, side, side])
            let t = try Tensor(set.pixels.map(Float.init), shape: [3, 1, 28, 28]).resizedBilinear(to: (side, side))
            let theirs = try t.toFloats()
            let worst = zip(mine.pixels, theirs).map { abs(Float($0) - $1) }.max()!
            XCTAssertLessThanOrEqual(worst, 0.5 + 1e-3, "side \(side)")   // only the rounding to UInt8 differs
        }
    }

    func testDownscaleAveragesAndKeepsConstants() {
        let flat = ImageSet(channels: 1, height: 64, width: 64, pixels: [UInt8](repeating: 200, count: 4096), labels: [0])
        XCTAssertEqual(Transforms.resized(flat, side: 28).pixels, [UInt8](repeating: 200, count: 784))
        // A one-pixel checkerboard shrunk by 2 must average to grey, not alias to black or white.
        let checker = ImageSet(channels: 1, height: 64, width: 64,
                               pixels: (0 ..< 4096).map { ($0 / 64 + $0 % 64) % 2 == 0 ? 0 : 255 }, labels: [0])
        let small = Transforms.resized(checker, side: 32)
        XCTAssertTrue(small.pixels.allSatisfy { (96 ... 160).contains($0) }, "\(small.pixels.prefix(8))")
    }

    func testChannelConversionsAndTranspose() {
        let gray = Fixtures.images(2, channels: 1, height: 3, width: 4)
        let rgb = Transforms.converted(gray, channels: 3)
        XCTAssertEqual(rgb.shape, [3, 3, 4])
        XCTAssertEqual(Array(rgb.image(1)), Array(gray.image(1)) + Array(gray.image(1)) + Array(gray.image(1)))
        XCTAssertEqual(Transforms.converted(rgb, channels: 1), gray)   // equal planes → same luma
        let colour = ImageSet(channels: 3, height: 1, width: 1, pixels: [255, 0, 0], labels: [0])
        XCTAssertEqual(Transforms.converted(colour, channels: 1).pixels, [76])   // 0.299 · 255
        let t = Transforms.transposed(gray)
        XCTAssertEqual(t.shape, [1, 4, 3])
        XCTAssertEqual(t.pixels[1], gray.pixels[4])   // (y 0, x 1) of the transpose is (y 1, x 0)
        XCTAssertEqual(Transforms.transposed(t), gray)
        let conformed = Transforms.conformed(Fixtures.images(2, channels: 3, height: 32, width: 32), to: [1, 28, 28])
        XCTAssertEqual(conformed.shape, [1, 28, 28])
    }

    func testNormalisationAtTheModelInputOnly() throws {
        let x = try Tensor([0, 0.5, 1, 0.25] as [Float], shape: [1, 1, 2, 2])
        let n = try Normalization.grayscale.apply(x)
        XCTAssertEqual(try n.toFloats(), [-1, 0, 1, -0.5])
        XCTAssertEqual(try Normalization.grayscale.invert(n).toFloats(), [0, 0.5, 1, 0.25])
        let rgb = try Tensor([Float](repeating: 0.5, count: 3), shape: [1, 3, 1, 1])
        let c = try Normalization.cifar.apply(rgb).toFloats()
        XCTAssertEqual(c[0], (0.5 - 0.4914) / 0.2023, accuracy: 1e-5)
        XCTAssertEqual(c[2], (0.5 - 0.4465) / 0.2010, accuracy: 1e-5)
        XCTAssertEqual(Normalization.standard(channels: 3), .cifar)
        XCTAssertThrowsError(try Normalization.cifar.apply(x))
    }
}

final class SHA256Tests: XCTestCase {
    func testStandardVectors() {
        XCTAssertEqual(Digest.sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Digest.sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Digest.sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(Digest.sha256Hex([UInt8](repeating: 0x61, count: 1000)),
                       "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
