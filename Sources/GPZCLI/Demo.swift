import ArgumentParser
import Foundation
import GPZReport
import GPZScan

/// `gpz demo` is `gpz scan --preset quick`: a narrow cnn4 trained on a Fashion-MNIST subset at 32 px (the data
/// Debian ships), statistics and learned-decoder attacks at every split, the two zones, and the report.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The quick scan (gpz scan --preset quick): about 8 minutes on 2 cores from data to report.html."
    )

    @Option(help: "Run directory.")
    var out = "runs/quick"

    @OptionGroup var deviceOption: DeviceOption

    @Flag(help: "Print one JSON object last (results.json).")
    var json = false

    func run() throws {
        try reportingErrors {
            try ScanSession(plan: try Preset.quick.plan, out: URL(fileURLWithPath: out), targets: nil,
                            device: deviceOption.device, json: json).run()
        }
    }
}
