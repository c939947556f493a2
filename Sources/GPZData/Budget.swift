import Foundation

/// Limits on the sizes that come from input (headers, specs, options), checked before anything is allocated
/// for them, so a hostile or mistaken number is refused with the field and the limit named instead of taking
/// the process down.
public enum Budget {
    /// Classes a data set may declare (`classes=N`, or the largest label + 1).
    public static let maxClasses = 100_000
    /// Side of one image, in pixels (PNG, JPEG, IDX and NumPy headers).
    public static let maxSide = 16_384
    /// Bytes of pixels (or of decompressed file data) one data set or role may hold in memory: 16 GiB, or half
    /// the machine's memory when that is less.
    public static let maxBytes: Int = {
        let half = Int(clamping: ProcessInfo.processInfo.physicalMemory / 2)
        return min(1 << 34, max(half, 1 << 30))
    }()
    /// Pixels of a sample grid image (about 256 MiB at one byte per pixel and channel).
    public static let maxGridBytes = 1 << 28

    /// Throws `absurdHeader` naming `field` unless `0 ≤ value ≤ limit`.
    public static func check(_ value: Int, atMost limit: Int, _ field: String, file: String) throws {
        guard value >= 0, value <= limit else {
            throw DataError(.absurdHeader, file: file, "\(field) is \(value), the limit is \(limit)")
        }
    }

    /// The product of `factors`, refused (naming `field`) when it overflows or exceeds `limit` bytes.
    @discardableResult
    public static func bytes(_ factors: [Int], _ field: String, file: String, limit: Int = maxBytes) throws -> Int {
        guard let total = checkedProduct(factors), total <= limit else {
            throw DataError(.absurdHeader, file: file,
                            "\(field) needs \(dims(factors)) bytes, more than the limit of \(limit) bytes")
        }
        return total
    }
}
