import Foundation
import GPZTraining

/// A progress line on standard error: stage, bar, count, rate, ETA and a few named values (loss, accuracy).
///
/// On a terminal it redraws one line in place (at most ten times a second); elsewhere (logs, CI) it prints a plain
/// line every 10 % of the work or every 10 seconds, so long jobs still show that they are alive.
final class ProgressBar {
    private let label: String
    private let total: Int
    private let unit: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lastPercentPrinted = -1
    private let interactive = isatty(STDERR_FILENO) == 1

    init(_ label: String, total: Int, unit: String = "it") {
        self.label = label
        self.total = Swift.max(total, 1)
        self.unit = unit
    }

    /// Reports that `done` units are finished, with optional named values shown after the counts.
    func update(_ done: Int, _ values: [(String, Double)] = []) {
        let now = Date()
        let percent = 100 * Swift.min(done, total) / total
        let finished = done >= total
        if interactive {
            guard finished || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            FileHandle.standardError.write(Data(("\r" + line(done, values, now) + "\u{1B}[K").utf8))
            if finished { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            guard finished || percent / 10 > lastPercentPrinted / 10 || now.timeIntervalSince(lastDraw) >= 10 else {
                return
            }
            if finished && lastPercentPrinted == 100 { return }
            lastPercentPrinted = percent
            FileHandle.standardError.write(Data((line(done, values, now) + "\n").utf8))
        }
        lastDraw = now
    }

    private func line(_ done: Int, _ values: [(String, Double)], _ now: Date) -> String {
        let elapsed = now.timeIntervalSince(start)
        let fraction = Double(Swift.min(done, total)) / Double(total)
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let rate = elapsed >= 0.5 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Self.clock(Double(total - done) / rate) : "–:––"
        let shown = values.map { "\($0.0) \(String(format: "%.4g", $0.1))" }.joined(separator: "  ")
        let speed = String(format: "%.0f", rate)
        return "\(label) \(bar) \(done)/\(total)  \(speed) \(unit)/s  \(Self.clock(elapsed)) ETA \(eta)  \(shown)"
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }
}

extension ProgressBar {
    /// A training callback that starts a new bar at each epoch's first batch and shows the running mean loss.
    static func epochs() -> (BatchProgress) -> Void {
        var bar: ProgressBar?
        return { progress in
            if progress.batch == 1 {
                bar = ProgressBar("epoch \(progress.epoch + 1)/\(progress.epochs)", total: progress.batches,
                                  unit: "batches")
            }
            bar?.update(progress.batch, [("loss", progress.meanLoss)])
        }
    }
}
