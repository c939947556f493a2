import GPZScan
import Foundation
import GPZData

extension ScanReport {
    /// One figure per attacked split with its reconstruction grid embedded as a data URI.
    static func gridSection(_ view: ScanReportView, runDirectory: URL) -> String {
        let attacked = view.attacked
        guard !attacked.isEmpty else {
            return HTMLDocument.section("Reconstructions", id: "reconstructions",
                                        HTMLDocument.paragraph("No split was attacked.", class: "note"))
        }
        let figures = attacked.map { gridFigure($0, runDirectory: runDirectory) }.joined(separator: "\n")
        return HTMLDocument.section("Reconstructions", id: "reconstructions",
            HTMLDocument.paragraph("In each grid the top row holds private test images and the row below the "
                                   + "attacker's reconstructions of them from the features sent at the split.",
                                   class: "note")
            + "\n<div class=\"grids\">\n\(figures)\n</div>")
    }

    /// A split's grid figure, or a note when its file is not recorded, missing or not an image.
    static func gridFigure(_ split: ScanSplit, runDirectory: URL) -> String {
        let caption = "\(split.name) (split \(split.index)): MSE \(ReportFormat.significant(split.mse)), PSNR "
            + "\(ReportFormat.significant(split.psnr)) dB, SSIM \(ReportFormat.significant(split.ssim))"
        let content: String
        if let path = split.grid {
            content = gridImage(path: path, name: split.name, runDirectory: runDirectory)
        } else {
            content = HTMLDocument.paragraph("no grid recorded for this split", class: "missing")
        }
        return "<figure>\n\(content)\n<figcaption>\(HTMLDocument.escape(caption))</figcaption>\n</figure>"
    }

    /// An `<img>` with the file's bytes as a data URI, scaled by a whole factor to about 500 pixels wide. `path` is
    /// relative to the run directory (or absolute).
    static func gridImage(path: String, name: String, runDirectory: URL) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : runDirectory.appendingPathComponent(path)
        guard let data = try? Data(contentsOf: url) else {
            return HTMLDocument.paragraph("grid missing: \(path)", class: "missing")
        }
        let bytes = [UInt8](data)
        guard let format = ImageCodec.sniff(bytes), let header = try? ImageCodec.header(bytes, name: path),
              header.width > 0, header.height > 0 else {
            return HTMLDocument.paragraph("grid unreadable (not a PNG or JPEG image): \(path)", class: "missing")
        }
        let scale = Swift.max(1, Int((500 / Double(header.width)).rounded()))
        let mime = format == .png ? "image/png" : "image/jpeg"
        return "<img src=\"data:\(mime);base64,\(data.base64EncodedString())\" width=\"\(header.width * scale)\" "
            + "height=\"\(header.height * scale)\" alt=\"\(HTMLDocument.escape("reconstructions at \(name)"))\">"
    }
}
