import GPZTestSupport
import XCTest
import GPZAttacks
import GPZModels
import GPZNN
import GPZTensor

final class InversionTrainerTests: SeededTestCase {
    private let batchCount = 4

    private func auxBatches(channels: Int = 1, size: Int = 16) throws -> ImageBatchStream {
        ImageBatchStream(try (0..<batchCount).map { _ in try syntheticImages(count: 16, channels: channels, size: size) })
    }

    /// An untrained cnn4 at 16 px, all five splits trained from one target pass per batch (32 steps each): every
    /// decoder's loss falls, by more than half for the maps of blocks 1–3. Block 4 (512 channels of 1 × 1) and
    /// the logits of an untrained network carry little of the image, so there the decoders can do little better
    /// than the mean image; the logits decoder still falls clearly from where it starts.
    func testDecodersLearnFromOneTargetPassPerBatch() throws {
        let model = try tinyCNN4()
        let epochs = 8
        let trainer = try InversionTrainer(target: model, splits: model.splitPoints,
                                           options: InversionTrainingOptions(epochs: epochs),
                                           normalizeInput: { try ($0 - 0.5) / 0.5 })
        var updates = 0
        let report = try trainer.train(on: try auxBatches()) { progress in
            XCTAssertEqual(progress.stage, .training)
            XCTAssertEqual(progress.splits.count, 5)
            XCTAssertEqual(progress.total, self.batchCount)
            XCTAssertNotNil(progress.loss)
            updates += 1
        }
        XCTAssertEqual(updates, epochs * batchCount)
        XCTAssertEqual(report.targetBatches, epochs * batchCount)
        XCTAssertEqual(report.images, epochs * batchCount * 16)
        XCTAssertEqual(report.bankedBatches, 0, "an unnumbered stream has no bank")
        let requiredFall = [1: 0.5, 2: 0.5, 3: 0.5, 4: 1, 5: 0.75]
        for split in model.splitPoints {
            let losses = try XCTUnwrap(report.epochLosses[split.index])
            XCTAssertEqual(losses.count, epochs)
            XCTAssertLessThan(losses.last!, try XCTUnwrap(requiredFall[split.index]) * losses.first!,
                              "split \(split): \(losses)")
        }
    }

    /// A vector split that carries the image (its 4 × 4 average-pooled thumbnail, flattened): the vector decoder
    /// (Linear → 512@4 → deconvolutions) learns to reconstruct it.
    func testVectorDecoderLearnsFromAnInformativeVector() throws {
        let config = ModelConfig(architecture: .cnn4, channels: 1, imageSize: 16, classes: 4)
        let thumbnail = Stage(name: "thumbnail", module: Sequential(AdaptiveAvgPool2d(4), Flatten()))
        let model = try StagedModel(config: config, stages: [thumbnail])
        XCTAssertEqual(model.splitPoints.map(\.kind), [.vector])
        let trainer = try InversionTrainer(target: model, splits: model.splitPoints,
                                           options: InversionTrainingOptions(epochs: 8))
        let losses = try XCTUnwrap(try trainer.train(on: try auxBatches()).epochLosses[1])
        XCTAssertLessThan(losses.last!, 0.5 * losses.first!, "\(losses)")
    }

    /// Early stopping on held-out images: the logits of an untrained network carry little of the image, so the
    /// decoder's validation MSE flattens within a few epochs; it stops on the plateau long before the maximum,
    /// trains no epoch after stopping, and keeps the weights of its best epoch (measured again, they give the best
    /// validation MSE).
    func testEarlyStoppingStopsOnThePlateauAndKeepsTheBestEpoch() throws {
        let model = try tinyCNN4()
        let logits = model.splitPoints.last!
        var options = InversionTrainingOptions(epochs: 60)
        options.patience = 2
        options.minRelativeImprovement = 0.01
        let trainer = try InversionTrainer(target: model, splits: [logits], options: options)
        let validation = ImageBatchStream([try syntheticImages(count: 32, channels: 1, size: 16)])
        let report = try trainer.train(on: try auxBatches(), validation: validation)
        let history = try XCTUnwrap(report.validationLosses[logits.index])
        XCTAssertEqual(report.stops[logits.index], .plateau, "\(history)")
        XCTAssertLessThan(history.count, 60)
        XCTAssertEqual(report.epochLosses[logits.index]?.count, history.count, "no epoch after the stop")
        let best = try XCTUnwrap(report.bestEpochs[logits.index])
        XCTAssertEqual(history.count - best, 2, "stopped `patience` epochs after the best")
        let kept = try trainer.evaluate(on: validation, keep: 0)[0].summary.mse.mean
        XCTAssertEqual(kept, history[best - 1], accuracy: 1e-6)
    }

    func testPerSplitScheduleRunsTheTargetForEachSplit() throws {
        let model = try tinyCNN4()
        let splits = [try model.split(at: 2), try model.split(at: 4)]
        let trainer = try InversionTrainer(target: model, splits: splits,
                                           options: InversionTrainingOptions(epochs: 2, schedule: .oneSplitPerRun))
        var seen: [Int] = []
        let report = try trainer.train(on: try auxBatches()) { seen.append($0.splits[0].index) }
        XCTAssertEqual(seen, Array(repeating: 2, count: 2 * batchCount) + Array(repeating: 4, count: 2 * batchCount))
        XCTAssertEqual(report.targetBatches, 2 * 2 * batchCount)
        XCTAssertEqual(report.epochLosses.keys.sorted(), [2, 4])
    }

    /// 64 numbered images served in a new order of 16-image batches on every pass (as the shuffled aux loader).
    private func shuffledAux() throws -> ImageBatchStream {
        let images = try syntheticImages(count: 64, channels: 1, size: 16)
        var pass = 0
        return ImageBatchStream(batchesPerPass: 4, sampleCount: 64) {
            var order = Array(0..<64)
            var generator = TestGenerator(state: UInt64(pass) &+ 1)
            order.shuffle(using: &generator)
            pass += 1
            var batch = 0
            return {
                guard batch < 4 else { return nil }
                defer { batch += 1 }
                let rows = Array(order[(batch * 16)..<((batch + 1) * 16)])
                return (try images.indexSelect(dim: 0, rows), rows)
            }
        }
    }

    /// With the bank the target runs only in the first epoch; the batches keep the stream's order, so the decoders
    /// train on the same batches and end bit-identical to an unbanked run.
    func testBankedFeaturesReplaceLaterTargetPassesWithIdenticalResults() throws {
        let model = try tinyCNN4()
        func run(bankBytes: Int) throws -> (InversionTrainingReport, [Float]) {
            try Runtime.manualSeed(3)
            var options = InversionTrainingOptions(epochs: 3, featureBankBytes: bankBytes)
            options.decoderSeed = 1
            let trainer = try InversionTrainer(target: model, splits: model.splitPoints, options: options)
            let report = try trainer.train(on: try shuffledAux())
            return (report, try trainer.decoders.flatMap { try $0.parameters().flatMap { try $0.toFloats() } })
        }
        let (banked, bankedOut) = try run(bankBytes: 64 << 20)
        XCTAssertEqual(banked.targetBatches, 4)
        XCTAssertEqual(banked.bankedBatches, 8)
        let (plain, plainOut) = try run(bankBytes: 0)
        XCTAssertEqual(plain.targetBatches, 12)
        XCTAssertEqual(plain.bankedBatches, 0)
        XCTAssertEqual(banked.epochLosses, plain.epochLosses)
        XCTAssertEqual(bankedOut, plainOut, "decoder weights")

        let (tight, _) = try run(bankBytes: 1024)
        XCTAssertEqual(tight.targetBatches, 12, "nothing fits in 1 KiB: every batch runs the target")
    }

    func testASharedBankServesLaterTrainers() throws {
        let model = try tinyCNN4()
        let bank = FeatureBank(sampleCount: 64, budgetBytes: 64 << 20)
        let aux = try shuffledAux()
        let first = try InversionTrainer(target: model, splits: model.splitPoints,
                                         options: InversionTrainingOptions(epochs: 1), bank: bank)
        XCTAssertEqual(try first.train(on: aux).targetBatches, 4)
        XCTAssertEqual(bank.completeSplits, [1, 2, 3, 4, 5])
        let second = try InversionTrainer(target: model, splits: [try model.split(at: 4)],
                                          options: InversionTrainingOptions(epochs: 2), bank: bank)
        let report = try second.train(on: aux)
        XCTAssertEqual(report.targetBatches, 0)
        XCTAssertEqual(report.bankedBatches, 8)
    }

    func testEvaluationSummarisesEverySplitAndKeepsExamples() throws {
        let model = try tinyCNN4()
        let trainer = try InversionTrainer(target: model, splits: model.splitPoints,
                                           options: InversionTrainingOptions(epochs: 1))
        _ = try trainer.train(on: try auxBatches())
        let privateImages = ImageBatchStream([try syntheticImages(count: 5, channels: 1, size: 16),
                                              try syntheticImages(count: 5, channels: 1, size: 16)])
        var batches = 0
        let evaluations = try trainer.evaluate(on: privateImages, keep: 7) { progress in
            XCTAssertEqual(progress.stage, .evaluation)
            batches += 1
        }
        XCTAssertEqual(batches, 2)
        XCTAssertEqual(evaluations.map(\.split.index), [1, 2, 3, 4, 5])
        for evaluation in evaluations {
            XCTAssertEqual(evaluation.summary.count, 10)
            XCTAssertEqual(evaluation.originals.shape, [7, 1, 16, 16])
            XCTAssertEqual(evaluation.reconstructions.shape, [7, 1, 16, 16])
            XCTAssertTrue(evaluation.summary.mse.mean > 0 && evaluation.summary.mse.mean < 1)
            XCTAssertTrue(evaluation.summary.ssim.mean.isFinite && evaluation.summary.psnr.mean.isFinite)
        }
    }

    func testDefendedSplitsGetDecodersForTheEnhancedFeatures() throws {
        let model = try tinyCNN4()
        let split = try model.split(at: 3)
        let trainer = try InversionTrainer(target: model, splits: [split], architecture: .strong,
                                           enhancements: [3: try DropoutConcat()],
                                           options: InversionTrainingOptions(epochs: 1))
        XCTAssertEqual(trainer.decoders[0].split.shape, [2 * split.shape[0]] + split.shape.dropFirst())
        let report = try trainer.train(on: try auxBatches())
        XCTAssertEqual(report.epochLosses[3]?.count, 1)
    }

    func testInvalidSettingsAreRejected() throws {
        let model = try tinyCNN4()
        let split = try model.split(at: 1)
        XCTAssertThrowsError(try InversionTrainer(target: model, splits: []))
        XCTAssertThrowsError(try InversionTrainer(target: model, splits: [split, split]))
        XCTAssertThrowsError(try InversionTrainer(target: model, splits: [split],
                                                  options: InversionTrainingOptions(epochs: 0)))
    }
}

/// A fixed xorshift generator for test orders.
private struct TestGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
