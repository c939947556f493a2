import Foundation

public enum ScanReport {
    @discardableResult
    public static func write(_ results: ScanResults, runDirectory: URL) throws -> URL {
        let url = runDirectory.appendingPathComponent("report.html")
        try Data("<html><body><h1>\(results.name)</h1></body></html>".utf8).write(to: url, options: .atomic)
        return url
    }
}

public enum ComparisonReport {
    public static func write(comparison: PlanComparison, results: [ScanResults], to directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("index.html")
        try Data("<html><body><h1>\(comparison.plan)</h1></body></html>".utf8).write(to: url, options: .atomic)
        return url
    }
}
