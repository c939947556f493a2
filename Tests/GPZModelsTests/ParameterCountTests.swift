import GPZTestSupport
import XCTest
import GPZModels

/// Parameter counts against the paper's reference figures (in millions, two decimals) and against the exact
/// sums of the layer tables.
final class ParameterCountTests: SeededTestCase {
    private func parameters(_ architecture: String, channels: Int = 3, imageSize: Int = 64,
                            classes: Int = 10) throws -> Int {
        try ModelFactory.make(architecture: architecture, channels: channels, imageSize: imageSize,
                              classes: classes).parameterCount
    }

    /// Rounds a count to millions with two decimals, as the reference reports them.
    private func millions(_ count: Int) -> Double { (Double(count) / 10_000).rounded() / 100 }

    func testCNN4() throws {
        // convolutions 1 792 + 73 856 + 295 168 + 1 180 160, batch norms 2·(64 + 128 + 256 + 512) = 1 920,
        // Linear(8192, 50) 409 650, Linear(50, 10) 510.
        let rgb = try parameters("cnn4")
        XCTAssertEqual(rgb, 1_963_056)
        XCTAssertEqual(millions(rgb), 1.96)
        // conv1 576 + 64 = 640 with one channel, Linear(8192, 10) 81 930, Linear(10, 2) 22.
        let gray = try parameters("cnn4", channels: 1, classes: 2)
        XCTAssertEqual(gray, 1_633_696)
        XCTAssertEqual(millions(gray), 1.63)
    }

    func testVGG() throws {
        // features 20 024 384 (conv) + 11 008 (BN); classifier 8 392 704 + 16 781 312 + 40 970.
        let vgg19 = try parameters("vgg19bn")
        XCTAssertEqual(vgg19, 45_250_378)
        XCTAssertEqual(millions(vgg19), 45.25)
        // features 14 714 688 (conv) + 8 448 (BN); the same classifier.
        let vgg16 = try parameters("vgg16bn")
        XCTAssertEqual(vgg16, 39_938_122)
        XCTAssertEqual(millions(vgg16), 39.94)
    }

    func testResNet18() throws {
        // Identical to the paper's rn18 at 64 px: conv1 1 728 + 128, layers 147 968 + 525 568 + 2 099 712 +
        // 8 393 728, fc Linear(2048, 10) 20 490.
        let count = try parameters("resnet18")
        XCTAssertEqual(count, 11_189_322)
        XCTAssertEqual(millions(count), 11.19)
        // At 32 px the pooled vector has 512 values: fc is Linear(512, 10), 5 130 parameters.
        XCTAssertEqual(try parameters("resnet18", imageSize: 32), 11_189_322 - 20_490 + 5_130)
    }

    func testIR152() throws {
        // input layer 1 920, body 57 888 064, output layer 1 024 + 4 194 816 + 1 024, fc 5 130.
        let count = try parameters("ir152")
        XCTAssertEqual(count, 62_091_978)
        // The reference's 63.10 M includes the paper's unused Linear(512·14·14, 10) (1 003 530 parameters).
        XCTAssertEqual(millions(count + 512 * 14 * 14 * 10 + 10), 63.10)
    }

    func testViT() throws {
        // patch projection 6 272, class token 128, positional embedding 257·128 = 32 896, six blocks of 198 272,
        // final LayerNorm 256, head 1 290.
        let count = try parameters("vit")
        XCTAssertEqual(count, 1_230_474)
        XCTAssertEqual(millions(count), 1.23)
        // One channel: the projection has 128·16 weights fewer per missing channel.
        XCTAssertEqual(try parameters("vit", channels: 1), 1_230_474 - 2 * 128 * 16)
    }
}
