import GPZTensor

struct TrainingWorkload {
    static func lenet() throws -> TrainingWorkload { TrainingWorkload() }
    static func decoder(fastTransposedConvolution: Bool) throws -> TrainingWorkload { TrainingWorkload() }
    func imagesPerSecond(steps: Int) throws -> Double { 0 }
}
