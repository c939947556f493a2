import GPZNN
import GPZOptim
import GPZTensor

/// A fixed training workload for throughput measurements: a model, synthetic inputs and targets of one batch,
/// and the loss; `imagesPerSecond` runs Adam steps (forward, backward, update) on that batch.
///
/// The reference workloads of `gpz bench ops` (batch 128, Adam lr 1e-3, seed 0, synthetic data):
/// - **LeNet** on 1×28×28 inputs: Conv(1→32, 5×5) → ReLU → MaxPool 2 → Conv(32→64, 5×5) → ReLU → MaxPool 2 →
///   Flatten (1024) → Linear(1024→10), cross-entropy (the LeNet whose 1024×10 layer the backend notes quote);
/// - **decoder**: the paper's Inversion_4 decoder for cnn4's block 2 at 28 px, the first real decoder an attack
///   trains: 128×7×7 → ConvTranspose(128→64, 4, 2, 1) → BatchNorm → Tanh → ConvTranspose(64→1, 4, 2, 1) → Sigmoid,
///   MSE against 1×28×28 images.
struct TrainingWorkload {
    let model: any Module
    let input: Tensor
    let loss: (Tensor) throws -> Tensor
    let batch: Int

    static func lenet(batch: Int = 128) throws -> TrainingWorkload {
        try Runtime.manualSeed(0)
        let model = Sequential(
            try Conv2d(1, 32, 5), ReLU(), MaxPool2d(2),
            try Conv2d(32, 64, 5), ReLU(), MaxPool2d(2), Flatten(), try Linear(1024, 10))
        let labels = try Tensor.randint(0, 10, [batch])
        return TrainingWorkload(model: model, input: try Tensor.rand([batch, 1, 28, 28]),
                                loss: { try Loss.crossEntropy($0, labels: labels) }, batch: batch)
    }

    static func decoder(featureChannels: Int = 128, batch: Int = 128) throws -> TrainingWorkload {
        try Runtime.manualSeed(0)
        let model = Sequential(try ConvTranspose2d(featureChannels, featureChannels / 2, 4, stride: 2, padding: 1),
                               try BatchNorm2d(featureChannels / 2), Tanh(),
                               try ConvTranspose2d(featureChannels / 2, 1, 4, stride: 2, padding: 1), Sigmoid())
        let target = try Tensor.rand([batch, 1, 28, 28])
        return TrainingWorkload(model: model, input: try Tensor.randn([batch, featureChannels, 7, 7]),
                                loss: { try Loss.mse($0, target) }, batch: batch)
    }

    /// Median images per second over `steps` timed training steps, after two warm-up steps.
    func imagesPerSecond(steps: Int) throws -> Double {
        let optimizer = try Adam(parameters: model.parameters(), lr: 1e-3)
        model.train()
        func step() throws {
            try optimizer.zeroGrad()
            try loss(try model(input)).backward()
            try optimizer.step()
        }
        for _ in 0..<2 { try step() }
        let secondsPerStep = try Stopwatch.median(rounds: steps, perRound: 1) { try step() }
        return Double(batch) / secondsPerStep
    }
}
