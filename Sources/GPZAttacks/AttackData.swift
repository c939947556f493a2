import GPZData
import GPZTraining

/// The images of an attack on a checkpoint: the target's training images (the defender's data), the attacker's
/// auxiliary images and the evaluated (private) images, re-derived from the checkpoint's configuration.
public struct AttackData {
    public let trainImages: ImageSet
    /// The images the attacker trains on: its aux data after `auxLimit`, less the validation hold-out, at the
    /// attack's `budget`.
    public let aux: RoleSet
    /// The aux images held out for early stopping (`validation` of the aux data after `auxLimit`).
    public let validation: RoleSet
    /// All the attacker's images (after `auxLimit`): what the label-only floor's class means come from.
    public let attackerImages: RoleSet
    public let evaluationImages: ImageSet

    /// `aux`: `sub` (or the checkpoint's own `sub:F`) for the held-out fraction, `cross:NAME` for another data
    /// set; `evaluateOn`: `private` or `train`.
    /// The images `config` asks for: its aux data (limited to `auxLimit` images, class-stratified), split into
    /// the validation hold-out and the training images (`budget` of them, class-stratified and nested: a smaller
    /// budget's images are among a larger one's), and its evaluated set (the first `evaluateLimit`
    /// class-interleaved images).
    public init(info: CheckpointInfo, config: AttackConfig) throws {
        let full = try Self.roles(info: info, aux: config.aux, evaluateOn: config.evaluateOn)
        trainImages = full.trainImages
        var evaluation = full.evaluationImages
        if let limit = config.evaluateLimit, limit < evaluation.count { evaluation = evaluation.subset(Array(0..<limit)) }
        evaluationImages = evaluation
        attackerImages = full.aux.limited(to: config.auxLimit, seed: config.seed)
        let (training, held) = attackerImages.holdingOut(config.validation)
        validation = held
        aux = config.budget < 1
            ? training.limited(to: Swift.max(1, Int((Double(training.count) * config.budget).rounded())), seed: 0)
            : training
    }

    /// The target's training images, the attacker's whole aux set and the evaluated images of a checkpoint.
    private static func roles(info: CheckpointInfo, aux: AttackAux,
                              evaluateOn: EvaluationSet) throws -> (trainImages: ImageSet, aux: RoleSet, evaluationImages: ImageSet) {
        let (roles, plan) = try info.trainedRoles()
        let evaluation = (evaluateOn == .train ? roles.train.images : roles.privateSet.images).classInterleaved()
        switch aux {
        case .sub(nil):
            return (roles.train.images, roles.aux, evaluation)
        case .sub(let fraction?) where AuxMode.sub(fraction) == plan.aux:
            return (roles.train.images, roles.aux, evaluation)
        case .sub:
            throw TrainingError("aux: '\(aux)' differs from the fraction held out when the target was trained "
                                + "(\(plan.aux)); use --aux sub so that no attacker image was a training image")
        case .cross(let name):
            var crossPlan = plan
            crossPlan.aux = .cross(name)
            let aux = try Roles.make(try Catalog.load(info.config.dataset), plan: crossPlan).aux
            let shared = aux.images.indicesShared(with: roles.train.images)
            guard shared.isEmpty else {
                throw DataError(.badOption, file: aux.source,
                                "\(shared.count) of the attacker's \(aux.count) images are also target-training "
                                + "images; use another data set or --aux sub")
            }
            return (roles.train.images, aux, evaluation)
        }
    }
}
