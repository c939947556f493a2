import GPZData
import GPZTraining

/// The images of an attack on a checkpoint: the target's training images (the defender's data), the attacker's
/// auxiliary images and the evaluated (private) images, re-derived from the checkpoint's configuration.
public struct AttackData {
    public let trainImages: ImageSet
    public let aux: RoleSet
    public let evaluationImages: ImageSet

    /// `aux`: `sub` (or the checkpoint's own `sub:F`) for the held-out fraction, `cross:NAME` for another data
    /// set; `evaluateOn`: `private` or `train`.
    /// The images `config` asks for: its aux data (limited to `auxLimit` images, class-stratified) and its
    /// evaluated set (the first `evaluateLimit` class-interleaved images).
    public init(info: CheckpointInfo, config: AttackConfig) throws {
        let full = try AttackData(info: info, aux: config.aux, evaluateOn: config.evaluateOn)
        trainImages = full.trainImages
        var evaluation = full.evaluationImages
        if let limit = config.evaluateLimit, limit < evaluation.count { evaluation = evaluation.subset(Array(0..<limit)) }
        evaluationImages = evaluation
        aux = full.aux.limited(to: config.auxLimit, seed: config.seed)
    }

    init(info: CheckpointInfo, aux: AttackAux, evaluateOn: EvaluationSet) throws {
        let (roles, plan) = try info.trainedRoles()
        trainImages = roles.train.images
        evaluationImages = (evaluateOn == .train ? roles.train.images : roles.privateSet.images).classInterleaved()
        switch aux {
        case .sub(nil):
            self.aux = roles.aux
        case .sub(let fraction?) where AuxMode.sub(fraction) == plan.aux:
            self.aux = roles.aux
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
            self.aux = aux
        }
    }
}
