import Foundation

/// Reader for image folders: one sub-folder per class holding PNG or JPEG files, either directly under the root
/// (everything is the training split) or under `train/` and `test/` (or `val/`). Images are decoded by libpng
/// and libjpeg-turbo; all must have one size. Grayscale files stay one channel unless some file of the set is in
/// colour, in which case every image is decoded as RGB.
public enum ImageFolderReader {
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    struct Listing {
        var classNames: [String]
        /// (relative path, class index)
        var files: [(String, Int)]
        var skipped: Int
    }

    static func list(root: String, sub: String?, classNames known: [String]?) throws -> Listing {
        let fm = FileManager.default
        let dir = sub.map { root + "/" + $0 } ?? root
        let prefix = sub.map { $0 + "/" } ?? ""
        let entries = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        let classDirs = entries.filter { e in
            var d: ObjCBool = false
            return fm.fileExists(atPath: dir + "/" + e, isDirectory: &d) && d.boolValue
        }
        guard !classDirs.isEmpty else {
            throw DataError(.missing, file: displayName(dir), "no class sub-folders, expected one folder of images per class")
        }
        let names = known ?? classDirs
        var files: [(String, Int)] = []
        var skipped = 0
        for cls in classDirs {
            guard let label = names.firstIndex(of: cls) else {
                throw DataError(.labelOutOfRange, file: prefix + cls, "class '\(cls)' is not one of the training classes (\(names.joined(separator: ", ")))")
            }
            let inside = ((try? fm.contentsOfDirectory(atPath: dir + "/" + cls)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
            let images = inside.filter { imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
            skipped += inside.count - images.count
            guard !images.isEmpty else {
                throw DataError(.emptyClass, file: prefix + cls,
                                "no .png/.jpg/.jpeg files\(inside.isEmpty ? "" : " (only \(inside.count) other files)"), expected at least one image per class")
            }
            files += images.map { (prefix + cls + "/" + $0, label) }
        }
        return Listing(classNames: names, files: files, skipped: skipped)
    }

    static func readBytes(_ path: String, name: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(.unreadableImage, file: name, "cannot read the file")
        }
        guard !data.isEmpty else { throw DataError(.emptyFile, file: name, "zero-length file, expected a PNG or JPEG image") }
        return [UInt8](data)
    }

    /// Decodes `listing`'s images (all of `height`×`width`) with `channels` channels.
    static func decodeAll(root: String, _ listing: Listing, channels: Int, height: Int, width: Int) throws -> ImageSet {
        var pixels: [UInt8] = []
        let total = try Budget.bytes([listing.files.count, channels, height, width],
                                     "\(listing.files.count) images of \(width)×\(height)", file: displayName(root))
        pixels.reserveCapacity(min(total, 1 << 30))
        for (rel, _) in listing.files {
            let bytes = try readBytes(root + "/" + rel, name: rel)
            let img = try ImageCodec.decode(bytes, name: rel, channels: channels)
            try DataError.check(img.width == width && img.height == height, .mixedSizes, file: rel,
                                "\(img.width)×\(img.height), expected \(width)×\(height)")
            pixels += img.pixels
        }
        return ImageSet(channels: channels, height: height, width: width, pixels: pixels, labels: listing.files.map(\.1))
    }

    /// Loads an image folder.
    public static func load(path: String, spec: String) throws -> Dataset {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
            throw DataError(.missing, file: displayName(path), "no such folder (\(path))")
        }
        guard isDir.boolValue else {
            throw DataError(.wrongFormat, file: displayName(path), "is a file, expected a folder with one sub-folder of images per class")
        }
        func isSplit(_ n: String) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: path + "/" + n, isDirectory: &d) && d.boolValue
        }
        let testName = ["test", "val"].first(where: isSplit)
        let splitLayout = isSplit("train") && testName != nil
        let trainList = try list(root: path, sub: splitLayout ? "train" : nil, classNames: nil)
        let testList = try splitLayout ? list(root: path, sub: testName, classNames: trainList.classNames) : nil
        // Pass 1: headers only — sizes must agree; colour anywhere makes the set RGB.
        var expected: (w: Int, h: Int, from: String)?
        var anyColour = false
        for (rel, _) in trainList.files + (testList?.files ?? []) {
            let bytes = try readBytes(path + "/" + rel, name: rel)
            let head = try ImageCodec.header(bytes, name: rel)
            if let e = expected {
                guard head.width == e.w && head.height == e.h else {
                    throw DataError(.mixedSizes, file: rel, "\(head.width)×\(head.height), expected \(e.w)×\(e.h) like \(e.from)")
                }
            } else {
                expected = (head.width, head.height, rel)
            }
            anyColour = anyColour || head.channels == 3
        }
        guard let size = expected else { throw DataError(.missing, file: displayName(path), "no images") }
        let channels = anyColour ? 3 : 1
        let train = try decodeAll(root: path, trainList, channels: channels, height: size.h, width: size.w)
        let test = try testList.map { try decodeAll(root: path, $0, channels: channels, height: size.h, width: size.w) }
            ?? .empty(channels: channels, height: size.h, width: size.w)
        var notes: [String] = []
        let skipped = trainList.skipped + (testList?.skipped ?? 0)
        if skipped > 0 { notes.append("skipped \(skipped) files that are not .png/.jpg/.jpeg") }
        if !splitLayout { notes.append("no train/ and test/ sub-folders: every image is in the training split") }
        return try Dataset(name: spec, format: "folder", train: train, test: test, classNames: trainList.classNames,
                           files: [path], notes: notes)
    }

    /// Writes `set` as an image folder (`root/[split/]class/index.png`); used for fixtures and exports.
    public static func write(_ set: ImageSet, classNames: [String], to root: String, split: String? = nil) throws {
        let fm = FileManager.default
        let base = split.map { root + "/" + $0 } ?? root
        for name in classNames { try fm.createDirectory(atPath: base + "/" + name, withIntermediateDirectories: true) }
        for i in 0 ..< set.count {
            let png = try ImageCodec.encodePNG(Array(set.image(i)), channels: set.channels, height: set.height, width: set.width)
            let file = "\(base)/\(classNames[set.labels[i]])/\(String(format: "%05d", i)).png"
            guard fm.createFile(atPath: file, contents: Data(png)) else {
                throw DataError(.missing, file: file, "cannot write")
            }
        }
    }
}
