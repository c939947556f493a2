import Foundation
import GPZAnalysis
import GPZConfig
import GPZData
import GPZModels
import GPZTraining

/// The Neural Vortex experiment (method §2.4): the same target trained with one-hot, LS+ (α 0.3) and LS− (α −0.05)
/// targets from the same seed and data, with mean R_c² and the intra-class share measured at every split after
/// every epoch.
///
/// Output directory: one checkpoint directory per run (`one-hot/`, `ls+/`, `ls-/`), and `vortex.csv` /
/// `vortex.json` (the curves side by side, final accuracies), rewritten after every epoch. With `resume`, runs
/// continue from their checkpoints and the curves from `vortex.json`.
public struct VortexStudy {
    public var base: TrainingConfig
    /// Run names and label-smoothing α, in order.
    public var runs: [(name: String, labelSmoothing: Double)]
    /// Training images analysed after each epoch (class-stratified, the same ones every epoch and run).
    public var sampleCount: Int

    public init(base: TrainingConfig, runs: [(name: String, labelSmoothing: Double)] = NeuralVortexRecorder.paperRuns,
                sampleCount: Int = 1_000) {
        self.base = base
        self.runs = runs
        self.sampleCount = sampleCount
    }

    public static func csvURL(_ directory: URL) -> URL { directory.appendingPathComponent("vortex.csv") }
    public static func jsonURL(_ directory: URL) -> URL { directory.appendingPathComponent("vortex.json") }

    /// Trains every run to `base.epochs` and returns the recorded curves. `onEpoch(run, record, statistics)`
    /// reports each finished epoch.
    public func run(dataset: Dataset, directory: URL, resume: Bool, onBatch: (BatchProgress) -> Void = { _ in },
                    onEpoch: (String, EpochRecord, [SplitStatistics]) -> Void = { _, _, _ in })
        throws -> NeuralVortexRecorder {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var recorder = try startingRecorder(directory: directory, resume: resume)
        for (name, alpha) in runs {
            var config = base
            config.labels = alpha == 0 ? .oneHot : .smoothed(alpha)
            let trainer = try TargetTrainer(config: config, dataset: dataset)
            if !recorder.runs.contains(where: { $0.name == name }) {
                try recorder.addRun(name: name, labelSmoothing: alpha)
            }
            let info = try trainer.run(directory: directory.appendingPathComponent(name), resume: resume,
                                       onBatch: onBatch) { record, model in
                let statistics = try SplitAnalysisRunner.run(
                    model: model, images: trainer.roles.train.images, normalization: trainer.normalization,
                    sampleCount: Swift.min(sampleCount, trainer.roles.train.count),
                    options: .init(seed: config.seed))
                try recorder.record(run: name, epoch: record.epoch, statistics: statistics)
                try recorder.write(csvTo: Self.csvURL(directory), jsonTo: Self.jsonURL(directory))
                onEpoch(name, record, statistics)
            }
            try recorder.setFinalAccuracy(run: name, accuracy: info.testAccuracy)
            try recorder.write(csvTo: Self.csvURL(directory), jsonTo: Self.jsonURL(directory))
        }
        return recorder
    }

    private func startingRecorder(directory: URL, resume: Bool) throws -> NeuralVortexRecorder {
        let url = Self.jsonURL(directory)
        guard resume, FileManager.default.fileExists(atPath: url.path) else { return NeuralVortexRecorder() }
        return try ResultsJSON.decoder().decode(NeuralVortexRecorder.self, from: Data(contentsOf: url))
    }
}
