import ArgumentParser
import Foundation
import GPZAnalysis
import GPZAttacks
import GPZConfig
import GPZData
import GPZModels
import GPZOptim
import GPZReport
import GPZScan
import GPZTensor
import GPZTraining

/// Runs a command's body with the project's exit-code convention: bad input (an error that declares itself a
/// `UserError` where it is defined, or a file-system error such as a folder where a file was expected, no
/// permission or a full disk) prints one line on stderr and exits with status 2; anything else is an internal
/// failure, printed on one line, status 1. Nothing a body already wrote is removed.
func reportingErrors(_ body: () throws -> Void) throws {
    do { try body() } catch { try exit(for: error) }
}

/// `reportingErrors` for an asynchronous body.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do { try await body() } catch { try exit(for: error) }
}

private func exit(for error: any Error) throws -> Never {
    if let error = error as? ExitCode { throw error }
    if error is any UserError { fail("error: \(error)", status: 2) }
    if let message = fileSystemMessage(error) { fail("error: \(message)", status: 2) }
    fail("internal error: \(error)", status: 1)
}

/// Prints `line` (folded onto one line, and cut to a bounded length) on stderr and exits.
private func fail(_ line: String, status: Int32) -> Never {
    let oneLine = DataError.bounded(line.split(whereSeparator: \.isNewline).joined(separator: " "), limit: 2048)
    FileHandle.standardError.write(Data((oneLine + "\n").utf8))
    Foundation.exit(status)
}

/// A line of progress or context on stderr (stdout is kept for results and JSON).
func note(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// One JSON object on one line, keys sorted.
func jsonLine<T: Encodable>(_ value: T) throws -> String {
    try CanonicalJSON.line(value)
}

extension OptimizerChoice: ExpressibleByArgument {}

extension SplitSelection: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension AttackAux: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(argument) }
}
extension PrivateSource: ExpressibleByArgument {}

extension Device: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public static var allValueStrings: [String] { ["cpu", "cuda", "cuda:0", "auto"] }
}

/// `--device`: where tensors live, for the commands that compute (train, analyze, attack, scan, demo).
struct DeviceOption: ParsableArguments {
    @Option(help: "Device: \(Device.spellings) (auto: the first CUDA device when there is one, else the CPU).")
    var device: Device?

    /// Makes `--device` (or `fallback` when it is not given) the device every tensor is created on; a device that
    /// does not exist is bad input, named like the scan file's `device` field.
    @discardableResult
    func apply(fallback: Device = .auto) throws -> Device {
        try Device.useConfigured(device ?? fallback)
    }
}
