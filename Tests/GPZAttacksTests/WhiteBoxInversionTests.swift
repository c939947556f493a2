import GPZTestSupport
import XCTest
import GPZAttacks
import GPZModels
import GPZTensor

final class WhiteBoxInversionTests: SeededTestCase {
    func testRMLELowersItsObjectiveAndKeepsImagesInRange() throws {
        let model = try tinyCNN4()
        let images = try syntheticImages(count: 2, channels: 1, size: 16)
        let features = try withNoGrad { try model.edge(images, upTo: 2) }
        let attack = WhiteBoxInversion(iterations: 40, learningRate: 0.1, totalVariationWeight: 0.01)
        var steps = 0
        let result = try attack.invert(features: features, target: model, split: 2, progress: { done, total, _ in
            steps = done
            XCTAssertEqual(total, 40)
        })
        XCTAssertEqual(steps, 40)
        XCTAssertEqual(result.objectiveTrace.count, 41)
        XCTAssertLessThan(result.objectiveTrace.last!, 0.5 * result.objectiveTrace.first!, "\(result.objectiveTrace)")
        XCTAssertEqual(result.reconstructions.shape, [2, 1, 16, 16])
        XCTAssertGreaterThanOrEqual(try result.reconstructions.min().item(), 0)
        XCTAssertLessThanOrEqual(try result.reconstructions.max().item(), 1)
        XCTAssertTrue(model.parameters().allSatisfy(\.requiresGrad), "the target's parameters are restored")
        XCTAssertTrue(model.parameters().allSatisfy { $0.grad == nil }, "the target accumulates no gradients")
    }

    func testConstantStartBeginsAtThatValue() throws {
        let model = try tinyCNN4()
        let features = try withNoGrad { try model.edge(syntheticImages(count: 1, channels: 1, size: 16), upTo: 1) }
        let result = try WhiteBoxInversion(iterations: 1, learningRate: 0, start: .constant(0.25))
            .invert(features: features, target: model, split: 1)
        XCTAssertEqual(try result.reconstructions.mean().item(), 0.25, accuracy: 1e-6)
        XCTAssertThrowsError(try WhiteBoxInversion(start: .constant(1)).invert(features: features, target: model, split: 1))
        XCTAssertThrowsError(try WhiteBoxInversion().invert(features: features, target: model, split: 2))
    }
}
