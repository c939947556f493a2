import GPZConfig
import CPNG
import CTurboJPEG
import Foundation

/// PNG and JPEG through Debian's libpng (its "simplified" API, which reports errors by return value) and
/// libjpeg-turbo (its TurboJPEG API, likewise). Pixels cross this boundary as UInt8 in [C, H, W] order.
public enum ImageCodec {
    public enum Format: String, Sendable { case png, jpeg }

    /// Largest side accepted from an image header (checked before any pixel buffer is allocated).
    public static let maxSide = Budget.maxSide

    /// The format, from the first bytes (not the file name).
    public static func sniff(_ bytes: [UInt8]) -> Format? {
        if bytes.count >= 8 && bytes[0 ..< 8].elementsEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) { return .png }
        if bytes.count >= 3 && bytes[0] == 0xff && bytes[1] == 0xd8 && bytes[2] == 0xff { return .jpeg }
        return nil
    }

    /// Width, height and natural channel count (1 for grayscale, 3 for colour) read from the header only.
    public static func header(_ bytes: [UInt8], name: String) throws -> (width: Int, height: Int, channels: Int) {
        switch sniff(bytes) {
        case .png:
            return try pngHeader(bytes, name: name)
        case .jpeg:
            return try jpegHeader(bytes, name: name)
        case nil: throw notAnImage(bytes, name: name)
        }
    }

    private static func notAnImage(_ bytes: [UInt8], name: String) -> DataError {
        let start = bytes.prefix(4).map { Digest.hex($0) }.joined(separator: " ")
        return DataError(.unreadableImage, file: name, "not a PNG or JPEG (first bytes \(start.isEmpty ? "none" : start))")
    }

    /// Decodes to `channels` (1 or 3) channels; [C, H, W] pixels.
    public static func decode(_ bytes: [UInt8], name: String, channels: Int) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        precondition(channels == 1 || channels == 3)
        switch sniff(bytes) {
        case .png: return try decodePNG(bytes, name: name, channels: channels)
        case .jpeg: return try decodeJPEG(bytes, name: name, channels: channels)
        case nil: throw notAnImage(bytes, name: name)
        }
    }

    // MARK: PNG

    private static func pngMessage(_ image: png_image) -> String {
        var m = image.message
        return withUnsafeBytes(of: &m) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Runs `body` on a PNG opened for reading from `bytes`. libpng keeps pointers to both the `png_image` (its
    /// error handler finds the jump buffer through it) and the bytes until the image is freed, so the image lives
    /// at one heap address and the bytes stay pinned for the whole call.
    private static func withPNG<R>(_ bytes: [UInt8], name: String, _ body: (UnsafeMutablePointer<png_image>) throws -> R) throws -> R {
        let image = UnsafeMutablePointer<png_image>.allocate(capacity: 1)
        image.initialize(to: png_image())
        image.pointee.version = UInt32(PNG_IMAGE_VERSION)
        defer {
            png_image_free(image)
            image.deallocate()
        }
        return try bytes.withUnsafeBytes { raw in
            guard png_image_begin_read_from_memory(image, raw.baseAddress, raw.count) != 0 else {
                throw DataError(.unreadableImage, file: name, "libpng: \(pngMessage(image.pointee))")
            }
            let (w, h) = (image.pointee.width, image.pointee.height)
            guard w > 0, h > 0, w <= UInt32(maxSide), h <= UInt32(maxSide) else {
                throw DataError(.absurdHeader, file: name, "PNG header says \(w)×\(h), expected sides 1–\(maxSide)")
            }
            return try body(image)
        }
    }

    private static func pngHeader(_ bytes: [UInt8], name: String) throws -> (width: Int, height: Int, channels: Int) {
        try withPNG(bytes, name: name) { image in
            (Int(image.pointee.width), Int(image.pointee.height), image.pointee.format & 0x02 != 0 ? 3 : 1)
        }
    }

    private static func decodePNG(_ bytes: [UInt8], name: String, channels: Int) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        try withPNG(bytes, name: name) { image in
            let (w, h) = (Int(image.pointee.width), Int(image.pointee.height))
            image.pointee.format = channels == 3 ? 0x02 /* PNG_FORMAT_RGB */ : 0 /* PNG_FORMAT_GRAY */
            var hwc = [UInt8](repeating: 0, count: w * h * channels)
            let ok = hwc.withUnsafeMutableBytes { png_image_finish_read(image, nil, $0.baseAddress, Int32(w * channels), nil) }
            guard ok != 0 else { throw DataError(.unreadableImage, file: name, "libpng: \(pngMessage(image.pointee))") }
            return (w, h, channels == 1 ? hwc : hwcToCHW(hwc, channels: channels, height: h, width: w))
        }
    }

    /// PNG bytes of a [C, H, W] UInt8 image (C = 1 or 3).
    public static func encodePNG(_ pixels: [UInt8], channels: Int, height: Int, width: Int) throws -> [UInt8] {
        precondition(pixels.count == channels * height * width && (channels == 1 || channels == 3))
        let hwc = channels == 1 ? pixels : chwToHWC(pixels, channels: channels, height: height, width: width)
        let image = UnsafeMutablePointer<png_image>.allocate(capacity: 1)
        image.initialize(to: png_image())
        defer {
            png_image_free(image)
            image.deallocate()
        }
        func reset() {
            image.pointee = png_image()
            image.pointee.version = UInt32(PNG_IMAGE_VERSION)
            image.pointee.width = UInt32(width)
            image.pointee.height = UInt32(height)
            image.pointee.format = channels == 3 ? 0x02 : 0
        }
        reset()
        var size = 0
        // First call measures, second writes.
        var ok = hwc.withUnsafeBytes { png_image_write_to_memory(image, nil, &size, 0, $0.baseAddress, Int32(width * channels), nil) }
        guard ok != 0, size > 0 else { throw InternalError("libpng: \(pngMessage(image.pointee))") }
        png_image_free(image)
        reset()
        var out = [UInt8](repeating: 0, count: size)
        ok = out.withUnsafeMutableBytes { dst in
            hwc.withUnsafeBytes { png_image_write_to_memory(image, dst.baseAddress, &size, 0, $0.baseAddress, Int32(width * channels), nil) }
        }
        guard ok != 0 else { throw InternalError("libpng: \(pngMessage(image.pointee))") }
        return Array(out.prefix(size))
    }

    /// Writes a [C, H, W] UInt8 image as a PNG file.
    public static func writePNG(_ pixels: [UInt8], channels: Int, height: Int, width: Int, to path: String) throws {
        let bytes = try encodePNG(pixels, channels: channels, height: height, width: width)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw DataError(.cannotWrite, file: DataError.bounded(path), fileSystemFailure(error)?.reason ?? "\(error)")
        }
    }

    // MARK: JPEG

    private static func jpegError(_ handle: tjhandle?) -> String {
        guard let msg = tjGetErrorStr2(handle) else { return "unknown error" }
        return String(cString: msg)
    }

    private static func jpegHeader(_ bytes: [UInt8], name: String) throws -> (width: Int, height: Int, channels: Int) {
        guard let handle = tjInitDecompress() else { throw DataError(.unreadableImage, file: name, "TurboJPEG init failed") }
        defer { tjDestroy(handle) }
        var w: Int32 = 0, h: Int32 = 0, subsamp: Int32 = 0, colorspace: Int32 = 0
        let status = bytes.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt($0.count), &w, &h, &subsamp, &colorspace)
        }
        guard status == 0 else { throw DataError(.unreadableImage, file: name, "libjpeg-turbo: \(jpegError(handle))") }
        guard w > 0, h > 0, w <= Int32(maxSide), h <= Int32(maxSide) else {
            throw DataError(.absurdHeader, file: name, "JPEG header says \(w)×\(h), expected sides 1–\(maxSide)")
        }
        return (Int(w), Int(h), colorspace == Int32(TJCS_GRAY.rawValue) ? 1 : 3)
    }

    private static func decodeJPEG(_ bytes: [UInt8], name: String, channels: Int) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        let (w, h, _) = try jpegHeader(bytes, name: name)
        guard let handle = tjInitDecompress() else { throw DataError(.unreadableImage, file: name, "TurboJPEG init failed") }
        defer { tjDestroy(handle) }
        var hwc = [UInt8](repeating: 0, count: w * h * channels)
        let format = channels == 3 ? Int32(TJPF_RGB.rawValue) : Int32(TJPF_GRAY.rawValue)
        let status = hwc.withUnsafeMutableBufferPointer { dst in
            bytes.withUnsafeBufferPointer {
                tjDecompress2(handle, $0.baseAddress, UInt($0.count), dst.baseAddress, Int32(w), 0, Int32(h), format,
                              8192 /* TJFLAG_STOPONWARNING */)
            }
        }
        // A warning (for example a truncated file with the rest filled grey) is still a failure for us:
        // a half-decoded image must not enter a data set silently.
        guard status == 0 else { throw DataError(.unreadableImage, file: name, "libjpeg-turbo: \(jpegError(handle))") }
        return (w, h, channels == 1 ? hwc : hwcToCHW(hwc, channels: channels, height: h, width: w))
    }

    /// JPEG bytes of a [C, H, W] UInt8 image (C = 1 or 3); used to build test fixtures.
    public static func encodeJPEG(_ pixels: [UInt8], channels: Int, height: Int, width: Int, quality: Int = 95) throws -> [UInt8] {
        precondition(pixels.count == channels * height * width && (channels == 1 || channels == 3))
        let hwc = channels == 1 ? pixels : chwToHWC(pixels, channels: channels, height: height, width: width)
        guard let handle = tjInitCompress() else { throw DataError(.wrongFormat, file: "jpeg", "TurboJPEG init failed") }
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let format = channels == 3 ? Int32(TJPF_RGB.rawValue) : Int32(TJPF_GRAY.rawValue)
        let samp = channels == 3 ? Int32(TJSAMP_444.rawValue) : Int32(TJSAMP_GRAY.rawValue)
        let status = hwc.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(width), 0, Int32(height), format, &buffer, &size, samp, Int32(quality), 0)
        }
        defer { if let buffer { tjFree(buffer) } }
        guard status == 0, let buffer else { throw DataError(.wrongFormat, file: "jpeg", "libjpeg-turbo: \(jpegError(handle))") }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }

    // MARK: Layout

    static func hwcToCHW(_ hwc: [UInt8], channels: Int, height: Int, width: Int) -> [UInt8] {
        let plane = height * width
        var out = [UInt8](repeating: 0, count: hwc.count)
        out.withUnsafeMutableBufferPointer { dst in
            hwc.withUnsafeBufferPointer { src in
                for k in 0 ..< plane { for c in 0 ..< channels { dst[c * plane + k] = src[k * channels + c] } }
            }
        }
        return out
    }

    static func chwToHWC(_ chw: [UInt8], channels: Int, height: Int, width: Int) -> [UInt8] {
        let plane = height * width
        var out = [UInt8](repeating: 0, count: chw.count)
        out.withUnsafeMutableBufferPointer { dst in
            chw.withUnsafeBufferPointer { src in
                for k in 0 ..< plane { for c in 0 ..< channels { dst[k * channels + c] = src[c * plane + k] } }
            }
        }
        return out
    }
}
