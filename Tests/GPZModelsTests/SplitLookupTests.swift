import GPZTestSupport
import XCTest
import GPZModels
import GPZTensor

/// Finding splits by name or index, and the errors for what does not exist.
final class SplitLookupTests: SeededTestCase {
    func testLookupByNameAndIndex() throws {
        let vgg19 = try ModelFactory.make(architecture: "vgg19bn", imageSize: 32)
        XCTAssertEqual(try vgg19.split(named: "conv3_4.relu").index, 26)
        XCTAssertEqual(try vgg19.split(named: "26").name, "conv3_4.relu")
        XCTAssertEqual(try vgg19.split(at: 53).name, "pool5")
        let resnet = try ModelFactory.make(architecture: "resnet18", imageSize: 32)
        XCTAssertEqual(try resnet.split(named: "layer2.1").index, 5)
        XCTAssertEqual(try resnet.split(named: "pool"),
                       SplitPoint(index: 10, name: "pool", shape: [512], kind: .vector))
    }

    func testUnknownSplits() throws {
        let cnn4 = try ModelFactory.make(architecture: "cnn4", imageSize: 32)
        assertThrowsError(ModelError.self,
                          "cnn4 has no split 'block9'; valid splits are 1…5 or one of: block1, block2, "
                          + "block3, block4, logits", try cnn4.split(named: "block9"))
        assertThrowsError(ModelError.self, "cnn4 has no split 6; valid indices are 1…5", try cnn4.split(named: "6"))
        assertThrowsError(ModelError.self, "cnn4 has no split 0; valid indices are 1…5", try cnn4.edge(
            randomInput(for: cnn4), upTo: 0))
        let vit = try ModelFactory.make(architecture: "vit", imageSize: 32)
        assertThrowsError(ModelError.self,
                          "vit has no split 'relu1'; valid splits are 1…7 or one of: block1, block2, block3, "
                          + "block4, block5, block6, logits", try vit.split(named: "relu1"))
    }

    func testFactoryErrors() {
        assertThrowsError(ModelError.self,
                          "unknown architecture 'alexnet'; choose one of cnn4, vgg16bn, vgg19bn, resnet18, "
                          + "ir152, vit", try ModelFactory.make(architecture: "alexnet"))
        assertThrowsError(ModelError.self, "resnet18 needs an image size of at least 25 px, got 24",
                          try ModelFactory.make(architecture: "resnet18", imageSize: 24))
        assertThrowsError(ModelError.self, "vit: the patch size 4 must divide the image size 30",
                          try ModelFactory.make(architecture: "vit", imageSize: 30))
        assertThrowsError(ModelError.self, "cnn4: channels must be at least 1, got 0",
                          try ModelFactory.make(architecture: "cnn4", channels: 0))
        assertThrowsError(ModelError.self, "ir152: classes must be at least 1, got 0",
                          try ModelFactory.make(architecture: "ir152", classes: 0))
        XCTAssertEqual(try Architecture(named: "VGG19BN"), .vgg19bn)
    }

    func testShapeErrors() throws {
        let cnn4 = try ModelFactory.make(architecture: "cnn4", imageSize: 32)
        assertThrowsError(ModelError.self, "cnn4 expects input [N, 3, 32, 32], got [1, 1, 32, 32]",
                          try cnn4.forward(Tensor.zeros([1, 1, 32, 32])))
        assertThrowsError(ModelError.self,
                          "cnn4 cloud from split 2 (block2) expects features [N, 128, 8, 8], got [1, 64, 16, 16]",
                          try cnn4.cloud(Tensor.zeros([1, 64, 16, 16]), from: 2))
    }
}
