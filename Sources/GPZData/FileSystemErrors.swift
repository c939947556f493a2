import Foundation

/// A file-system failure (a folder where a file was expected, no permission, a full disk, a path that exists)
/// as one line naming the path and the real reason, or nil when `error` is not one. Readers and writers use it
/// in their own errors; the CLI uses it for what reaches it unwrapped, with exit status 2.
public func fileSystemMessage(_ error: Error) -> String? {
    guard let (path, reason) = fileSystemFailure(error) else { return nil }
    return "\(path.map { DataError.bounded($0) + ": " } ?? "")\(reason)"
}

/// The path and the reason of a file-system failure, or nil when `error` is not one.
///
/// Foundation reports these as `CocoaError`s whose text ("You don't have permission…") often names the wrong
/// reason, and on Linux a failed write often carries no POSIX code at all; the reason is then found by looking
/// at the path itself.
public func fileSystemFailure(_ error: Error) -> (path: String?, reason: String)? {
    let ns = error as NSError
    let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    if ns.domain == NSPOSIXErrorDomain { return (path, String(cString: strerror(Int32(ns.code)))) }
    guard ns.domain == NSCocoaErrorDomain, (0 ..< 1024).contains(ns.code) else { return nil }
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return (path, String(cString: strerror(Int32(underlying.code))))
    }
    return (path, path.flatMap { diagnose($0, code: ns.code) } ?? cocoaReason(ns.code))
}

/// Why `path` cannot be written or read, found by looking at it and its ancestors; nil when nothing is wrong
/// with them that can be seen.
private func diagnose(_ path: String, code: Int) -> String? {
    var status = stat()
    if stat(path, &status) == 0 {
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return "is a folder, expected a file"
        case S_IFREG: if code == CocoaError.Code.fileWriteFileExists.rawValue { return "is a file, expected a folder" }
        default: return "is a device or special file, expected a regular file"
        }
    }
    var ancestor = (path as NSString).deletingLastPathComponent
    while !ancestor.isEmpty {
        if stat(ancestor, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else { return "\(DataError.bounded(ancestor)) is not a folder" }
            if access(ancestor, W_OK) != 0 { return "permission denied in \(DataError.bounded(ancestor))" }
            var volume = statvfs()
            if statvfs(ancestor, &volume) == 0 {
                if volume.f_blocks == 0 { return "\(DataError.bounded(ancestor)) is a virtual file system that holds no files" }
                if volume.f_flag & UInt(ST_RDONLY) != 0 { return "read-only file system" }
                if volume.f_bavail == 0 { return "no space left on device" }
            }
            return nil
        }
        let parent = (ancestor as NSString).deletingLastPathComponent
        if parent == ancestor { break }
        ancestor = parent
    }
    return nil
}

/// The reason for a Foundation file error without a POSIX code.
private func cocoaReason(_ code: Int) -> String {
    switch CocoaError.Code(rawValue: code) {
    case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or directory"
    case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
    case .fileWriteOutOfSpace: return "no space left on device"
    case .fileWriteFileExists: return "file exists"
    case .fileWriteVolumeReadOnly: return "read-only file system"
    case .fileReadTooLarge: return "file too large"
    default: return "cannot be read or written (Foundation file error \(code))"
    }
}
