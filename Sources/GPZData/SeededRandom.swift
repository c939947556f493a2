/// A small, fully specified pseudo-random generator (SplitMix64) for everything seeded in the data layer:
/// split assignment, shuffling, flips. Its output depends only on the seed, never on the platform, the Swift
/// version, or libtorch's global generator, so a split recorded today is reproducible anywhere.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for a named purpose derived from a base seed ("aux-split", "epoch 3", …), so independent
    /// streams do not overlap.
    public init(seed: UInt64, stream: String) {
        var h: UInt64 = 0xcbf29ce484222325   // FNV-1a of the stream name, mixed with the seed
        for b in stream.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        state = seed ^ h
        _ = next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9e3779b97f4a7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
        z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
        return z ^ (z >> 31)
    }

    /// Uniform integer in 0..<bound (rejection sampling, no modulo bias).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        let limit = UInt64.max - UInt64.max % b
        while true {
            let r = next()
            if r < limit { return Int(r % b) }
        }
    }

    /// Uniform Float in [0, 1).
    public mutating func unit() -> Float { Float(next() >> 40) * (1.0 / Float(1 << 24)) }

    /// Fisher–Yates shuffle with this generator (the algorithm is fixed here, unlike `Array.shuffle(using:)`).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = below(i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    /// A random permutation of 0..<n.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0 ..< n)
        shuffle(&p)
        return p
    }
}
