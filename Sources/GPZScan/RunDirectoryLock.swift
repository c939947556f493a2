import GPZConfig
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a run directory: `flock` on its `scan.lock`, which holds the PID of the process that has
/// it. The kernel drops the lock when that process ends, however it ends, so a killed scan never leaves a stale
/// lock; a second writer is refused at once with the holder's PID.
final class RunDirectoryLock {
    static let fileName = "scan.lock"
    private let descriptor: Int32

    /// Takes the lock of `directory` or throws a `RunDirectoryError` naming the process that holds it.
    init(directory: URL) throws {
        let path = directory.appendingPathComponent(Self.fileName).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RunDirectoryError("\(path): cannot create the run lock (\(String(cString: strerror(errno))))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(fd)
            guard reason == EWOULDBLOCK else {
                throw RunDirectoryError("\(path): cannot lock the run directory (\(String(cString: strerror(reason))))")
            }
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            throw RunDirectoryError("\(directory.path): another scan (PID \(holder.isEmpty ? "unknown" : holder)) "
                                    + "is writing to this run directory; wait for it to end or choose another --out")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = fd
    }

    deinit {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// A run directory that cannot be used as asked: another scan holds it, or its finished units were computed
/// under other numerics. The user can fix it (wait, choose another directory, or match the settings).
public struct RunDirectoryError: UserError, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
