import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `gpz serve …` as a child process (the load test's server, the tests' server): started, waited for until its
/// ready line names the URL, stopped with SIGTERM (SIGKILL if it does not stop within 20 s). Its standard error is
/// collected for the caller.
public final class ServeProcess: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var errors = Data()
    /// The server's base URL from its ready line (`http://127.0.0.1:PORT`).
    public private(set) var url = ""

    /// Starts `executable` with `arguments` (and `environment`, nil: this process's) and waits up to `readyWithin`
    /// seconds for its ready line; throws a `ServeSetupError` naming the server's last words otherwise.
    public init(executable: URL, arguments: [String], environment: [String: String]? = nil,
                readyWithin seconds: Double) throws {
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.errors.append(data)
            self.lock.unlock()
        }
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let text = stderr
            if let range = text.range(of: "ready at "), let end = text[range.upperBound...].range(of: "/v2/") {
                url = String(text[range.upperBound..<end.lowerBound])
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw ServeSetupError("gpz serve did not get ready: \(stderr.split(separator: "\n").last ?? "")")
    }

    /// Everything the server has written to standard error so far.
    public var stderr: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: errors, as: UTF8.self)
    }

    /// The exit status once the server has stopped; nil while it runs.
    public var exitStatus: Int32? { process.isRunning ? nil : process.terminationStatus }

    /// The server's resident set (VmRSS) in MiB; 0 where /proc is not available.
    public func rssMiB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kib / 1024
    }

    /// Stops the server (once) and returns its standard error.
    @discardableResult
    public func stop() -> String {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        Thread.sleep(forTimeInterval: 0.1)  // the last stderr bytes
        return stderr
    }
}
