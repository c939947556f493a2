import Foundation
import GPZConfig
import GPZModels
import GPZTensor

extension DeploySweep.Run {
    /// The deployment row of an edge run measured on the link named `link`: the means per request of the edge's
    /// compute, the transfer (with the server's own overhead), the cloud's compute and the end-to-end latency, its
    /// p50 and p99, the bytes per sample, the accuracies, and the whole report.
    public init(report: EdgeRunReport, link: String) throws {
        let latency = report.latencyMs
        self.init(split: report.split, splitIndex: report.splitIndex, shape: report.shape, link: link,
                  encoding: report.encoding, compression: report.compression,
                  requestBytesPerSample: report.bytes.requestPerSample, zBytesPerSample: report.bytes.zPerSample,
                  edgeMs: latency.edge.mean, transferMs: latency.transferAndServer.mean, cloudMs: latency.cloud.mean,
                  endToEndMs: latency.endToEnd.mean, endToEndP50Ms: latency.endToEnd.p50,
                  endToEndP99Ms: latency.endToEnd.p99, accuracy: report.accuracy,
                  inProcessAccuracy: report.inProcessAccuracy, inProcessAccuracyAsSent: report.inProcessAccuracyAsSent,
                  samples: report.samples, report: try JSONValue(encoding: report))
    }
}

/// `gpz edge --deploy-row FILE --link RATE:DELAY [--emulation E]`: the sweep file one run is recorded in. A file
/// that exists must be a sweep (`DeploySweep.load`) of the same checkpoint, emulation and number of private images;
/// the run then replaces the row that measured the same split, link, encoding and compression, or is appended.
struct DeployRow {
    /// The file as given, for messages.
    let path: String
    let url: URL
    let link: DeploySweep.Link
    let emulation: String
    /// The checkpoint's absolute path.
    let checkpoint: String
    /// Private images per run: `--limit`, or all of them.
    let limit: Int

    init(_ configuration: EdgeConfiguration, images: Int) throws {
        guard let path = configuration.deployRow, let link = configuration.link else {
            preconditionFailure("checked by EdgeConfiguration.check()")
        }
        self.path = path
        url = URL(fileURLWithPath: path)
        self.link = try EdgeConfiguration.link(link)
        emulation = configuration.emulation ?? EdgeConfiguration.noEmulation
        checkpoint = URL(fileURLWithPath: configuration.checkpoint).standardizedFileURL.path
        limit = configuration.limit ?? images
        var isDirectory: ObjCBool = false
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EdgeOptionError("--deploy-row \(path): no such directory \(folder)")
        }
    }

    /// The file's sweep, or a new one; an error naming the option when the file cannot take this run's row.
    func sweep() throws -> DeploySweep {
        guard FileManager.default.fileExists(atPath: url.path) else {
            return DeploySweep(checkpoint: checkpoint, emulation: emulation, limit: limit)
        }
        let sweep: DeploySweep
        do {
            sweep = try DeploySweep.load(file: url)
        } catch let error as ConfigError {
            throw EdgeOptionError("--deploy-row \(error)")
        }
        guard sweep.checkpoint == checkpoint else {
            throw EdgeOptionError("--deploy-row \(path): a sweep of the checkpoint \(sweep.checkpoint), not "
                                  + checkpoint)
        }
        guard sweep.emulation == emulation else {
            throw EdgeOptionError("--emulation: \(path) records the emulation '\(sweep.emulation)', not '\(emulation)'")
        }
        guard sweep.limit == limit else {
            throw EdgeOptionError("--limit: \(path) records runs on \(sweep.limit) private images, not \(limit)")
        }
        return sweep
    }

    /// Records `report`'s row in the file (read again, so that rows written meanwhile stay) and returns the sweep.
    func record(_ report: EdgeRunReport) throws -> DeploySweep {
        var sweep = try sweep()
        do {
            try sweep.record(try DeploySweep.Run(report: report, link: link.name), on: link)
            try sweep.validate()
        } catch let error as ConfigError {
            throw EdgeOptionError("--deploy-row \(path): the row does not fit (\(error))")
        }
        sweep.date = DeploySweep.dateText(Date())
        try sweep.write(to: url)
        return sweep
    }
}
