import Foundation
import GPZData
import GPZTensor

/// Seed corpora: small valid files of every format, written by GPZ's own writers the way the test fixtures are.
enum Seeds {
    static func write(to root: String) throws {
        let fm = FileManager.default
        func put(_ target: FuzzTarget, _ name: String, _ bytes: [UInt8]) throws {
            try fm.createDirectory(atPath: "\(root)/\(target.rawValue)", withIntermediateDirectories: true)
            _ = fm.createFile(atPath: "\(root)/\(target.rawValue)/\(name)", contents: Data(bytes))
        }
        let (n, side) = (6, 4)
        let pixels = (0 ..< n * side * side).map { UInt8(($0 * 37) % 256) }
        let labels = (0 ..< n).map { $0 % 3 }
        let idxImages = [0, 0, 8, 3] + bigEndian(n) + bigEndian(side) + bigEndian(side) + pixels
        let idxLabels = [0, 0, 8, 1] + bigEndian(n) + labels.map(UInt8.init)
        try put(.idx, "images", idxImages)
        try put(.idx, "labels", idxLabels)
        try put(.idx, "images.gz", Gzip.compress(idxImages))
        try put(.idx, "labels.gz", Gzip.compress(idxLabels))
        let rows = (0 ..< n).map { i in
            ([String(labels[i])] + pixels[i * 16 ..< (i + 1) * 16].map(String.init)).joined(separator: ",")
        }
        let csv = Array((rows.joined(separator: "\n") + "\n").utf8)
        let header = Array((["label"] + (0 ..< 16).map { "p\($0)" }).joined(separator: ",").utf8) + [0x0a]
        try put(.csv, "plain.csv", csv)
        try put(.csv, "header.csv", header + csv)
        try put(.csv, "plain.csv.gz", Gzip.compress(csv))
        var cifar: [UInt8] = []
        for i in 0 ..< 2 { cifar += [UInt8(i)] + (0 ..< 3072).map { UInt8(($0 + i) % 256) } }
        try put(.cifar, "data_batch_1.bin", cifar)
        try put(.image, "gray.png", try ImageCodec.encodePNG(pixels, channels: 1, height: 12, width: 8))
        try put(.image, "rgb.png", try ImageCodec.encodePNG(pixels, channels: 3, height: 4, width: 8))
        try put(.image, "gray.jpg", try ImageCodec.encodeJPEG(pixels, channels: 1, height: 12, width: 8))
        try put(.image, "rgb.jpg", try ImageCodec.encodeJPEG(pixels, channels: 3, height: 4, width: 8))
        let images = NPYArray(uint8: pixels, shape: [n, side, side])
        let floats = NPYArray(float32: pixels.map { Float($0) / 255 }, shape: [n, side, side, 1])
        let labelArray = NPYArray(int64: labels, shape: [n])
        try put(.npy, "images.npy", NumPy.encodeNPY(images))
        try put(.npy, "floats.npy", NumPy.encodeNPY(floats))
        try put(.npy, "labels.npy", NumPy.encodeNPY(labelArray))
        for compressed in [true, false] {
            let path = "\(root)/npz-\(compressed).npz"
            try NumPy.writeNPZ([("x_train", images), ("y_train", labelArray), ("x_test", images), ("y_test", labelArray)],
                               to: path, compressed: compressed)
            try put(.npz, compressed ? "deflated.npz" : "stored.npz", [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            try fm.removeItem(atPath: path)
        }
        let weights = "\(root)/weights.safetensors"
        try Safetensors.write([("weight", try Tensor([Float](repeating: 0.5, count: 6), shape: [2, 3])),
                               ("steps", try Tensor([Int64(3)], shape: [])),
                               ("mask", try Tensor([true, false], shape: [2]))],
                              metadata: ["format": "pt"], to: URL(fileURLWithPath: weights))
        try put(.safetensors, "small.safetensors", [UInt8](try Data(contentsOf: URL(fileURLWithPath: weights))))
        try fm.removeItem(atPath: weights)
    }

    private static func bigEndian(_ v: Int) -> [UInt8] { (0 ..< 4).map { UInt8((v >> (24 - 8 * $0)) & 0xff) } }
}

/// libFuzzer's start-up hook: with `GPZ_FUZZ_MAKE_SEEDS=DIR`, writes the seed corpora to DIR and exits.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutableRawPointer) -> CInt {
    guard let root = ProcessInfo.processInfo.environment["GPZ_FUZZ_MAKE_SEEDS"] else { return 0 }
    do {
        try Seeds.write(to: root)
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("error: cannot write the seeds: \(error)\n".utf8))
        exit(1)
    }
}
