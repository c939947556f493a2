import Crypto
import Foundation

/// The shared secret clients present as `Authorization: Bearer <token>` (RFC 6750).
///
/// Only the token's SHA-256 digest is kept; a presented token is hashed and the two digests are compared in
/// constant time (every byte is looked at whatever the first difference), so the time an answer takes says nothing
/// about how much of a guess was right, nor about the token's length.
public struct BearerToken: Sendable {
    private let digest: [UInt8]

    /// The longest token file read.
    public static let maxFileBytes = 4096

    /// A token of visible ASCII characters (no spaces); throws a `ServeSetupError` otherwise.
    public init(_ token: String) throws {
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ServeSetupError("token: expected visible ASCII characters without spaces, at least one")
        }
        digest = Array(SHA256.hash(data: Array(token.utf8)))
    }

    /// The token in `path` (`--token-file`): the file's text without leading and trailing whitespace.
    public static func read(from path: String) throws -> BearerToken {
        let bytes = try readSetupFile(path, option: "--token-file", limit: maxFileBytes)
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw ServeSetupError("--token-file \(path): not UTF-8 text")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            return try BearerToken(token)
        } catch {
            throw ServeSetupError("--token-file \(path): expected one token of visible ASCII characters without "
                                  + "spaces, got \(token.isEmpty ? "an empty file" : "other characters")")
        }
    }

    /// Whether an `Authorization` header value presents this token (scheme `Bearer`, case-insensitive).
    public func accepts(authorization: String?) -> Bool {
        guard let authorization else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        let presented = Array(SHA256.hash(data: Array(parts[1].trimmingCharacters(in: .whitespaces).utf8)))
        var difference: UInt8 = 0
        for (a, b) in zip(presented, digest) { difference |= a ^ b }
        return difference == 0
    }
}
