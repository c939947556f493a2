import Foundation

/// The Python side of the tests: `python/gpz_export.py` run by the interpreter of `.deps/python`, the virtual
/// environment `scripts/bootstrap.sh` creates with the same torch 2.13.0 wheel that GPZ links.
public enum PythonExporter {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The repository root (this file is Sources/GPZTestSupport/PythonExporter.swift).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `.deps/python/bin/python`, or a failure saying how to create it.
    public static func python() throws -> URL {
        let url = root.appendingPathComponent(".deps/python/bin/python")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw Failure(description: "\(url.path) is missing: run scripts/bootstrap.sh (it creates .deps/python)")
        }
        return url
    }

    /// Runs the environment's Python with `arguments` from the repository root.
    public static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runProcess(try python(), arguments, environment: ["OMP_NUM_THREADS": "2"], directory: root)
    }

    private static let cache = FileManager.default.temporaryDirectory
        .appendingPathComponent("gpz-exports-\(ProcessInfo.processInfo.processIdentifier)")
    nonisolated(unsafe) private static var exported: [String: URL] = [:]  // guarded by `lock`
    private static let lock = NSLock()

    /// The archive `python/gpz_export.py arguments --out FILE` writes, exported once per test process and
    /// shared by the tests that ask for the same `name`.
    public static func export(_ name: String, _ arguments: [String]) throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        if let url = exported[name] { return url }
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        let url = cache.appendingPathComponent("\(name).gpz.pt")
        let result = try run(["python/gpz_export.py"] + arguments + ["--out", url.path])
        guard result.status == 0 else {
            throw Failure(description: "gpz_export.py \(arguments.joined(separator: " ")) exited \(result.status): "
                                       + result.stderr)
        }
        exported[name] = url
        return url
    }

    /// A fresh file in the process's export folder.
    public static func scratch(_ name: String) throws -> URL {
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        return cache.appendingPathComponent(name)
    }
}
