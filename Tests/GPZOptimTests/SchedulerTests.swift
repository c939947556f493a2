import Foundation
import XCTest
import GPZTensor
import GPZTestSupport
@testable import GPZOptim

final class SchedulerTests: XCTestCase {
    private func optimizer(lr: Double = 1) throws -> SGD {
        try SGD(parameters: [parameter([0])], lr: lr)
    }

    /// The learning rate after each of `epochs` calls of `step`.
    private func rates(_ optimizer: any Optimizer, epochs: Int, _ step: () -> Void) -> [Double] {
        (0..<epochs).map { _ in
            step()
            return optimizer.learningRate
        }
    }

    func testStepLRMultipliesByGammaEveryStepSizeEpochs() throws {
        let sgd = try optimizer()
        let scheduler = try StepLR(optimizer: sgd, stepSize: 2, gamma: 0.5)
        XCTAssertEqual(rates(sgd, epochs: 6, scheduler.step), [1, 0.5, 0.5, 0.25, 0.25, 0.125])
        XCTAssertEqual(scheduler.lastEpoch, 6)
    }

    func testCosineAnnealingFollowsTheCosineAndComesBackAfterTMax() throws {
        let sgd = try optimizer()
        let scheduler = try CosineAnnealingLR(optimizer: sgd, tMax: 4, etaMin: 0.1)
        // η_min + (γ₀ − η_min)·(1 + cos(π·e/4))/2 with γ₀ = 1, η_min = 0.1; cos(π/4) = √½
        let half = 0.5.squareRoot()
        let expected = [0.1 + 0.9 * (1 + half) / 2, 0.55, 0.1 + 0.9 * (1 - half) / 2, 0.1,
                        0.1 + 0.9 * (1 - half) / 2, 0.55, 0.1 + 0.9 * (1 + half) / 2, 1]
        let actual = rates(sgd, epochs: 8, scheduler.step)
        for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e, accuracy: 1e-12, "\(actual)") }
    }

    func testReduceLROnPlateauWaitsForPatienceThenCoolsDown() throws {
        let sgd = try optimizer()
        let scheduler = try ReduceLROnPlateau(optimizer: sgd, factor: 0.5, patience: 1, cooldown: 1)
        let metrics = [10, 9, 8.9995, 9, 9, 9, 8, 8, 8]
        var index = 0
        let actual = rates(sgd, epochs: metrics.count) {
            scheduler.step(metric: metrics[index])
            index += 1
        }
        // e1, e2 improve; e3 8.9995 is not below 9·(1 − 1e-4) = 8.9991: bad 1; e4 bad 2 > patience → 0.5,
        // cooldown 1; e5 bad but in cooldown (counter → 0, bad reset); e6 bad 1; e7 improves to 8; e8 bad 1;
        // e9 bad 2 → 0.25
        XCTAssertEqual(actual, [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25])
        XCTAssertEqual(scheduler.best, 8)
    }

    func testReduceLROnPlateauStopsAtTheMinimumRateAndSupportsMaxMode() throws {
        let minimizing = try optimizer()
        let floor = try ReduceLROnPlateau(optimizer: minimizing, factor: 0.1, patience: 0, minLearningRate: 0.05)
        // Every epoch after the first is bad: 1 → max(0.1, 0.05) → max(0.01, 0.05) → unchanged.
        XCTAssertEqual(rates(minimizing, epochs: 4) { floor.step(metric: 1) }, [1, 0.1, 0.05, 0.05])

        let maximizing = try optimizer()
        let accuracy = try ReduceLROnPlateau(optimizer: maximizing, mode: .max, patience: 0)
        let metrics = [0.5, 0.6, 0.6]
        var index = 0
        let actual = rates(maximizing, epochs: 3) {
            accuracy.step(metric: metrics[index])
            index += 1
        }
        XCTAssertEqual(actual, [1, 1, 0.1])
    }

    func testSchedulerStateRestoresProgress() throws {
        let sgd = try optimizer(lr: 0.8)
        let cosine = try CosineAnnealingLR(optimizer: sgd, tMax: 5)
        let plateau = try ReduceLROnPlateau(optimizer: sgd, patience: 1, cooldown: 2)
        for metric in [3.0, 2, 2, 2] {
            cosine.step()
            plateau.step(metric: metric)
        }
        let resumedSGD = try optimizer()
        try resumedSGD.loadStateDict(try sgd.stateDict().dictionary)
        let resumedCosine = try CosineAnnealingLR(optimizer: resumedSGD, tMax: 5)
        let resumedPlateau = try ReduceLROnPlateau(optimizer: resumedSGD, patience: 1, cooldown: 2)
        try resumedCosine.loadStateDict(try cosine.stateDict().dictionary)
        try resumedPlateau.loadStateDict(try plateau.stateDict().dictionary)
        XCTAssertEqual(resumedPlateau.best, 2)
        XCTAssertEqual(resumedPlateau.cooldownCounter, plateau.cooldownCounter)

        for metric in [2.0, 2, 1, 1, 1] {
            cosine.step()
            plateau.step(metric: metric)
            resumedCosine.step()
            resumedPlateau.step(metric: metric)
            XCTAssertEqual(resumedSGD.learningRate, sgd.learningRate)
        }

        let stepLR = try StepLR(optimizer: sgd, stepSize: 3)
        stepLR.step()
        let resumedStepLR = try StepLR(optimizer: resumedSGD, stepSize: 3)
        try resumedStepLR.loadStateDict(try stepLR.stateDict().dictionary)
        XCTAssertEqual(resumedStepLR.lastEpoch, 1)
    }

    func testInvalidSchedulerSettingsAreRejected() throws {
        let sgd = try optimizer()
        assertThrowsMessage(try StepLR(optimizer: sgd, stepSize: 0), "StepLR: invalid step size 0; expected >= 1")
        assertThrowsMessage(try CosineAnnealingLR(optimizer: sgd, tMax: 0),
                            "CosineAnnealingLR: invalid T_max 0; expected >= 1")
        assertThrowsMessage(try ReduceLROnPlateau(optimizer: sgd, factor: 1),
                            "ReduceLROnPlateau: invalid factor 1.0; expected < 1")
        assertThrowsMessage(try ReduceLROnPlateau(optimizer: sgd, patience: -1),
                            "ReduceLROnPlateau: invalid patience -1; expected >= 0")
        assertThrowsMessage(try StepLR(optimizer: sgd, stepSize: 1).loadStateDict([:]),
                            "StepLR: state has no entry 'last_epoch'")
    }
}
