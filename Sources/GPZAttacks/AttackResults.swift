import Foundation

/// One split's attack result: reconstruction quality over the evaluated set (means and standard deviations), the
/// cloud's accuracy on the features as sent, and the grid file.
public struct SplitAttackResult: Codable, Equatable, Sendable {
    public var name: String
    public var index: Int
    public var shape: [Int]
    public var mse: Double
    /// The paper code's MSE, summed over channels (C × `mse`); a compatibility column.
    public var mseSumChannels: Double
    public var psnr: Double
    public var ssim: Double
    public var cosine: Double
    public var mseStd: Double
    public var psnrStd: Double
    public var ssimStd: Double
    public var images: Int
    /// Top-1 accuracy of cloud(features as sent) on the evaluated set, when a defence changes the features.
    public var accuracyWithDefense: Double?
    /// Top-1 accuracy of cloud(Z as the cloud receives it with `attack.encoding`) on the evaluated set, when the
    /// encoding is not fp32 (absent otherwise).
    public var accuracyAsSent: Double?
    public var grid: String?
    /// A learned attacker's training at this split: the aux images it trained on, the epochs it ran, the epoch
    /// whose weights it kept, the validation MSE after each epoch, and whether it stopped on a plateau (nil for
    /// rMLE, which is not trained).
    public var training: SplitTraining?
    /// Top-1 re-identification of the evaluated images among same-class candidates (nil where a class has fewer
    /// images than a trial's candidates, as with rMLE's few images).
    public var reidentification: Reidentification.Measured?

    /// The standard error of `mse` over the evaluated images, sd / √n.
    public var mseError: Double { images > 1 ? mseStd / Double(images - 1).squareRoot() : 0 }

    enum CodingKeys: String, CodingKey {
        case name, index, shape, mse, mseSumChannels = "mse_sum_channels", psnr, ssim, cosine, mseStd = "mse_std"
        case psnrStd = "psnr_std", ssimStd = "ssim_std", images, accuracyWithDefense = "accuracy_with_defense"
        case accuracyAsSent = "accuracy_as_sent", grid, training, reidentification
    }
}

/// How a learned attacker trained at one split.
public struct SplitTraining: Codable, Equatable, Sendable {
    public var auxImages: Int
    public var validationImages: Int
    public var epochs: Int
    public var bestEpoch: Int?
    public var validationMSE: [Double]
    /// Stopped on a validation plateau (`EarlyStopping`); false when cut at the epoch maximum or diverged.
    public var converged: Bool

    enum CodingKeys: String, CodingKey {
        case epochs, converged
        case auxImages = "aux_images"
        case validationImages = "validation_images"
        case bestEpoch = "best_epoch"
        case validationMSE = "validation_mse"
    }
}

/// The output of `gpz attack`: the configuration and one result per split.
public struct AttackResults: Codable, Equatable, Sendable {
    public var attack: AttackConfig
    public var checkpoint: String
    public var architecture: String
    public var auxSource: String
    public var auxImages: Int
    public var auxSha256: String
    public var evaluatedImages: Int
    public var seconds: Double
    public var splits: [SplitAttackResult]
    /// The prior attackers' image prior (nil for the others).
    public var prior: ImagePrior.Report?

    enum CodingKeys: String, CodingKey {
        case attack, checkpoint, architecture, auxSource = "aux_source", auxImages = "aux_images"
        case auxSha256 = "aux_sha256", evaluatedImages = "evaluated_images", seconds, splits, prior
    }
}

/// Stage progress of an attack: training the decoders, evaluating them, or inverting with rMLE.
public struct AttackProgress {
    public var stage: String
    public var done: Int
    public var total: Int
    public var loss: Double?
}
