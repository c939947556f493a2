import ArgumentParser
import Foundation
import GPZAnalysis
import GPZData
import GPZReport
import GPZScan
import GPZTraining

/// `gpz vortex`: one-hot vs LS+ vs LS− training with R_c² recorded at every split after every epoch.
struct VortexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vortex",
        abstract: "Train one-hot, LS+ (α 0.3) and LS− (α −0.05) targets and record mean R_c² per split per epoch.",
        discussion: """
        The three runs share the seed, the data split and everything else but the label targets. After every epoch
        the mean intra-class radius R_c² and the intra-class share are measured at every split over a stratified
        sample of training images. OUT gets one checkpoint directory per run and vortex.csv / vortex.json (the
        curves side by side and the final accuracies), rewritten after every epoch.
        """
    )

    @OptionGroup var training: TrainingOptions

    @Option(help: "Training images analysed after each epoch.")
    var sample = 1_000

    @Option(help: "Output directory.")
    var out: String

    @Flag(help: "Continue the runs already in --out.")
    var resume = false

    @Flag(help: "Print one JSON object (the runs with their curves and final accuracies) at the end.")
    var json = false

    func validate() throws {
        guard sample >= 1 else { throw ValidationError("--sample must be at least 1, got \(sample)") }
    }

    func run() throws {
        try reportingErrors {
            let base = try training.config(labels: .oneHot)
            let directory = URL(fileURLWithPath: out)
            let study = VortexStudy(base: base, sampleCount: sample)
            let recorder = try study.run(dataset: try Catalog.load(base.dataset), directory: directory, resume: resume,
                                         onBatch: ProgressBar.epochs()) { run, record, statistics in
                let radii = statistics.map { String(format: "%.4g", $0.meanRadius) }.joined(separator: " ")
                note("\(run) " + String(format: "epoch %d: test accuracy %.2f %%; mean R_c² per split: ", record.epoch,
                                           100 * record.testAccuracy) + radii)
            }
            if json {
                print(String(decoding: try recorder.json(), as: UTF8.self))
            } else {
                for run in recorder.runs {
                    let name = run.name.padding(toLength: 8, withPad: " ", startingAt: 0)
                    print(name + String(format: " final test accuracy %.2f %%", 100 * (run.finalAccuracy ?? .nan)))
                }
                print("curves: \(VortexStudy.csvURL(directory).path), \(VortexStudy.jsonURL(directory).path)")
            }
        }
    }
}
