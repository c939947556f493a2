import Foundation

/// `results.csv`: one row per split with the columns of `ScanSplit` (empty cells where a split was not
/// attacked); numbers in full precision, the shape as `64x16x16`.
public enum ResultsCSV {
    public static let columns = [
        "index", "name", "shape", "d", "bytes", "edge_params", "edge_macs", "r2c_mean", "r2c_min", "r2c_max",
        "intra_share", "sigma2", "effective_dimension", "h_global_per_dim", "h_class_mixture_per_dim", "mse", "mse_std",
        "mse_sum_channels", "psnr", "ssim", "cosine", "accuracy_with_defense", "candidate", "mse_seeds",
        "leakage", "leakage_sd", "leakage_upper", "protects", "paper_threshold_protects", "zone_frequency",
        "apriori_zone", "recommended",
    ]

    public static func text(_ results: ScanResults) -> String {
        let zone = results.zones.zone
        var lines = [columns.joined(separator: ",")]
        for s in results.splits {
            let frequency = zone.candidates.firstIndex(of: s.index).map { zone.frequencies[$0] }
            let statistics: [String] = [
                String(s.index), quoted(s.name), s.shape.map(String.init).joined(separator: "x"), String(s.d),
                String(s.bytes), String(s.edgeParams), String(s.edgeMacs), number(s.r2cMean), number(s.r2cMin),
                number(s.r2cMax), number(s.intraShare), number(s.sigma2), number(s.effectiveDimension),
                number(s.hGlobalPerDim), number(s.hClassMixturePerDim),
            ]
            let attack: [String] = [
                number(s.mse), number(s.mseStd), number(s.mseSumChannels), number(s.psnr), number(s.ssim),
                number(s.cosine), number(s.accuracyWithDefense),
            ]
            let verdict: [String] = [
                String(s.candidate), s.leakage.map { String($0.mse.count) } ?? "", number(s.leakage?.leakage),
                number(s.leakage?.leakageSD), number(s.leakage?.leakageUpper), s.leakage.map { String($0.protects) } ?? "",
                s.paperThresholdProtects.map(String.init) ?? "", number(frequency), String(s.index == zone.split),
                String(results.recommendation.split == s.index),
            ]
            lines.append((statistics + attack + verdict).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func write(_ results: ScanResults, to url: URL) throws {
        try Data(text(results).utf8).write(to: url, options: .atomic)
    }

    private static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        return value.isFinite ? "\(value)" : (value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf"))
    }

    private static func quoted(_ text: String) -> String {
        text.contains(where: { ",\"\n".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                                                       : text
    }
}
