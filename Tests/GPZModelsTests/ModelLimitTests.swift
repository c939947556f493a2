import GPZTestSupport
import XCTest
import GPZModels

/// Settings from a command line, a scan configuration or a checkpoint that no machine can build are refused with
/// the field and the limit named, before any layer is allocated; none of them traps on overflow.
final class ModelLimitTests: SeededTestCase {
    func testAnOverflowingCNN4WidthIsAnErrorNotATrap() {
        let options = ModelOptions(cnn4Width: 4_611_686_018_427_387_904)
        assertThrowsError(ModelError.self, "cnn4: cnn4 width is 4611686018427387904, the limit is \(ModelLimits.maxCNN4Width)",
                               try ModelFactory.make(architecture: "cnn4", imageSize: 32, options: options))
        assertThrowsError(ModelError.self, "cnn4: cnn4 width is 1000000, the limit is \(ModelLimits.maxCNN4Width)",
                               try ModelFactory.make(architecture: "cnn4", imageSize: 32, options: ModelOptions(cnn4Width: 1_000_000)))
    }

    func testFieldsBeyondTheirLimitsAreNamed() {
        assertThrowsError(ModelError.self, "cnn4: image size is 100000, the limit is \(ModelLimits.maxImageSize)",
                               try ModelFactory.make(architecture: "cnn4", imageSize: 100_000))
        assertThrowsError(ModelError.self, "resnet18: classes is 99999999999, the limit is \(ModelLimits.maxClasses)",
                               try ModelFactory.make(architecture: "resnet18", imageSize: 32, classes: 99_999_999_999))
        assertThrowsError(ModelError.self, "vgg16bn: channels is 1000, the limit is \(ModelLimits.maxChannels)",
                               try ModelFactory.make(architecture: "vgg16bn", channels: 1000, imageSize: 32))
        assertThrowsError(ModelError.self, "vit: token count (image size / patch size)² is 65536, the limit is \(ModelLimits.maxTokens)",
                               try ModelFactory.make(architecture: "vit", imageSize: 256, options: ModelOptions(patchSize: 1)))
    }

    func testADenseLayerTooLargeForMemoryIsRefused() {
        let config = ModelConfig(architecture: .cnn4, imageSize: 512, classes: 50_000, options: ModelOptions(cnn4Width: 1024))
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertTrue((error as? ModelError)?.message.contains("exceeds the limit of \(ModelLimits.maxLayerWeights) weights") == true,
                          "\(error)")
        }
        XCTAssertNoThrow(try ModelConfig(architecture: .vgg19bn, imageSize: 64, classes: 530).validate())
    }
}
