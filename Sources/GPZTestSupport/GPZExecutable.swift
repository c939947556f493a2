import Foundation

/// The `gpz` executable that `swift test` builds next to the test bundle, and a way to run it.
public enum GPZExecutable {
    public struct NotFound: Error, CustomStringConvertible {
        public let description: String
    }

    /// The executable in the build folder of the bundle that holds `testCase`.
    public static func url(besides testCase: AnyClass) throws -> URL {
        let bundle = Bundle(for: testCase).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("gpz") }
        guard let url = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw NotFound(description: "gpz executable not found at \(candidates.map(\.path))")
        }
        return url
    }

    /// Runs `gpz arguments` on one intra-op thread (with `environment` added) and returns its exit status, standard
    /// output and standard error.
    public static func run(_ arguments: [String], besides testCase: AnyClass, environment: [String: String] = [:]) throws
        -> (status: Int32, stdout: String, stderr: String) {
        try runProcess(try url(besides: testCase), arguments,
                       environment: environment.merging(["GPZ_NUM_THREADS": "1"]) { $1 })
    }
}

/// Runs `executable` with `arguments` (and `environment` added to this process's) until it exits; returns its exit
/// status, standard output and standard error.
public func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String],
                directory: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}
