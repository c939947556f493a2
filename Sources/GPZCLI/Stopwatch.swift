import Foundation

/// Wall-clock timing helpers for benchmarks.
enum Stopwatch {
    /// Seconds taken by `body`.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Median of `rounds` timings of `body`, each divided by `perRound` (e.g. iterations or images per round).
    static func median(rounds: Int, perRound: Double, _ body: () throws -> Void) rethrows -> Double {
        var samples: [Double] = []
        for _ in 0..<rounds { samples.append(try seconds(body) / perRound) }
        samples.sort()
        return samples[samples.count / 2]
    }
}
