import Foundation
import GPZData

/// Two classes of 16×16 grayscale images: class 0 bright on the left half, class 1 on the right, with a
/// deterministic texture so no two images are equal. A tiny cnn4 learns them in a few epochs.
public enum StripesFixture {
    /// `count` images, alternating classes; `offset` shifts the texture, so sets with different offsets differ.
    public static func images(count: Int, offset: Int) -> ImageSet {
        var pixels: [UInt8] = [], labels: [Int] = []
        for i in 0..<count {
            let label = i % 2
            for y in 0..<16 {
                for x in 0..<16 {
                    let bright = (x < 8) == (label == 0)
                    let texture = ((i + offset) * 37 + x * 11 + y * 7) % 60
                    pixels.append(UInt8(bright ? 160 + texture : texture))
                }
            }
            labels.append(label)
        }
        return ImageSet(channels: 1, height: 16, width: 16, pixels: pixels, labels: labels)
    }

    /// The same images as a CSV data set (label first, then the pixels; `csv:PATH,shape=1x16x16` reads it).
    public static func writeCSV(count: Int, offset: Int, to url: URL) throws {
        let set = images(count: count, offset: offset)
        let size = 16 * 16
        let lines = (0..<count).map { i in
            ([set.labels[i]] + set.pixels[(i * size)..<((i + 1) * size)].map(Int.init)).map(String.init)
                .joined(separator: ",")
        }
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
    }
}
