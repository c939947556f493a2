import Foundation
import GPZData
import GPZModels
import GPZTensor
import GPZTestSupport
import GPZTraining
import XCTest
@testable import GPZServe

/// `EdgeRunner` (what `gpz edge` runs) against an in-process server: accuracies, bytes and the latency split.
final class EdgeRunTests: SeededTestCase {
    private func runner(split: String) throws -> (EdgeRunner, CheckpointInfo, StagedModel) {
        let (model, info) = try CheckpointStore.loadModel(try TinyCheckpoint.directory())
        return (EdgeRunner(model: model, split: try model.split(named: split), normalization: info.normalization),
                info, model)
    }

    /// FP32, one sample a request: the served accuracy is the whole model's in-process accuracy (nothing is lost
    /// on the wire), every served prediction agrees with the in-process one, Z takes 4 bytes a value, the request
    /// body is exactly the encoder's, and the latency parts add up as defined.
    func testFP32RunMatchesTheInProcessModel() async throws {
        let (runner, info, model) = try runner(split: "block2")
        let images = StripesFixture.images(count: 12, offset: 2000)
        let expectedAccuracy = try Evaluation.accuracy(of: model, on: images, normalization: info.normalization)
        let report = try await withServer(split: "block2") { _, client in
            try await runner.run(images: images, client: client, options: EdgeRunOptions(), checkpoint: "tiny")
        }
        XCTAssertEqual(report.samples, 12)
        XCTAssertEqual(report.requests, 12)
        XCTAssertEqual(report.shape, [8, 4, 4])
        XCTAssertEqual(report.inProcessAccuracy, expectedAccuracy)
        XCTAssertEqual(report.accuracy, expectedAccuracy)
        XCTAssertEqual(report.inProcessAccuracyAsSent, expectedAccuracy)
        XCTAssertEqual(report.agreement, 1)
        XCTAssertEqual(report.bytes.zPerSample, 128 * 4)
        let body = InferenceCodec.encodeRequest(features: [Float](repeating: 0, count: 128), shape: [1, 8, 4, 4],
                                                encoding: .fp32, binary: true,
                                                outputs: [OutputChoice(name: "class", binary: true)])
        XCTAssertEqual(report.bytes.requestPerSample, Double(body.bytes.count))
        XCTAssertEqual(report.bytes.uncompressedRequestPerSample, report.bytes.requestPerSample)
        XCTAssertEqual(report.bytes.compressionSaving, 0)
        XCTAssertGreaterThan(report.bytes.responsePerSample, 8, "at least the INT64 class")
        let latency = report.latencyMs
        XCTAssertGreaterThan(latency.cloud.mean, 0, "the server reports its compute time")
        XCTAssertGreaterThan(latency.edge.mean, 0)
        XCTAssertEqual(latency.transferAndServer.mean, latency.roundTrip.mean - latency.cloud.mean, accuracy: 1e-9)
        XCTAssertGreaterThanOrEqual(latency.endToEnd.mean, latency.edge.mean + latency.roundTrip.mean)
        for part in [latency.edge, latency.cloud, latency.roundTrip, latency.endToEnd] {
            XCTAssertLessThanOrEqual(part.p50, part.p99)
            XCTAssertLessThanOrEqual(part.p99, part.max)
        }
        XCTAssertGreaterThan(report.samplesPerSecond, 0)
    }

    /// INT8 in batches of 5 (the last one 2), three requests in flight, gzip: the served accuracy is the in-process
    /// cloud half's on the quantised Z, Z takes one byte a value, and the compression saving is what the sizes say.
    func testInt8BatchesWithCompression() async throws {
        let (runner, _, _) = try runner(split: "block2")
        let images = StripesFixture.images(count: 12, offset: 3000)
        var options = EdgeRunOptions()
        options.encoding = .int8
        options.batch = 5
        options.concurrency = 3
        options.compression = .gzip
        let report = try await withServer(split: "block2") { _, client in
            try await runner.run(images: images, client: client, options: options, checkpoint: "tiny")
        }
        XCTAssertEqual(report.requests, 3)
        XCTAssertEqual(report.encoding, .int8)
        XCTAssertEqual(report.compression, "gzip")
        XCTAssertEqual(report.accuracy, report.inProcessAccuracyAsSent)
        XCTAssertEqual(report.agreement, 1)
        XCTAssertEqual(report.bytes.zPerSample, 128)
        XCTAssertEqual(report.bytes.compressionSaving,
                       1 - report.bytes.requestPerSample / report.bytes.uncompressedRequestPerSample, accuracy: 1e-12)
        XCTAssertNotEqual(report.bytes.requestPerSample, report.bytes.uncompressedRequestPerSample)
    }

    /// An edge cut at another split than the server's is refused before anything is sent, naming both.
    func testSplitMismatchIsRefused() async throws {
        let (runner, _, _) = try runner(split: "block3")
        do {
            _ = try await withServer(split: "block2") { _, client in
                try await runner.run(images: StripesFixture.images(count: 2, offset: 0), client: client,
                                     options: EdgeRunOptions(), checkpoint: "tiny")
            }
            XCTFail("a mismatched split was run")
        } catch let error as EdgeClientError {
            XCTAssertTrue(error.message.hasPrefix("--split: the server at http://127.0.0.1:"), error.message)
            XCTAssertTrue(error.message.hasSuffix("serves split 'block2', the edge computes up to 'block3'"),
                          error.message)
        }
    }

    func testNearestRankPercentiles() {
        let values = (1...100).map(Double.init)
        XCTAssertEqual(EdgeRunner.percentile(values, 0.5), 50)
        XCTAssertEqual(EdgeRunner.percentile(values, 0.99), 99)
        XCTAssertEqual(EdgeRunner.percentile([7], 0.99), 7)
        XCTAssertEqual(EdgeRunner.percentile([1, 2, 3], 0.5), 2)
        let statistics = EdgeRunner.latencyStatistics([4, 1, 3, 2])
        XCTAssertEqual(statistics.mean, 2.5)
        XCTAssertEqual(statistics.p50, 2)
        XCTAssertEqual(statistics.p99, 4)
        XCTAssertEqual(statistics.max, 4)
    }
}
