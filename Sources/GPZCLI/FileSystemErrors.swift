import Foundation

/// A file-system failure (a folder where a file was expected, no permission, a full disk, a path that exists)
/// as one line naming the path and the real reason, or nil when `error` is not one.
///
/// Foundation reports these as `CocoaError`s whose text ("You don't have permission…") often names the wrong
/// reason; the underlying POSIX code, when there is one, is what `strerror` says.
func fileSystemMessage(_ error: Error) -> String? {
    let ns = error as NSError
    let posix: Int32?
    if ns.domain == NSPOSIXErrorDomain {
        posix = Int32(ns.code)
    } else if ns.domain == NSCocoaErrorDomain, (0 ..< 1024).contains(ns.code) {
        let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError
        posix = underlying?.domain == NSPOSIXErrorDomain ? underlying.map { Int32($0.code) } : nil
    } else {
        return nil
    }
    let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        ?? (ns.userInfo["NSURL"] as? URL)?.path
    let reason = posix.map { String(cString: strerror($0)) } ?? cocoaReason(ns.code)
    return "\(path.map { bounded($0) + ": " } ?? "")\(reason)"
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
    default: return "file-system error \(code)"
    }
}

/// `text` cut in the middle when it is longer than `limit` characters, so a message echoing user input (a path,
/// a field) stays a readable line.
func bounded(_ text: String, limit: Int = 512) -> String {
    guard text.count > limit else { return text }
    let keep = limit / 2
    return "\(text.prefix(keep))…(\(text.count - 2 * keep) characters)…\(text.suffix(keep))"
}
