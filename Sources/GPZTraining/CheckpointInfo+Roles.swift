import GPZData

extension CheckpointInfo {
    /// The checkpoint's data plan at the model's input: its side and channels, whatever a data set holds.
    public var inputPlan: SplitPlan {
        var plan = config.splitPlan
        plan.side = model.imageSize
        plan.channels = model.channels
        return plan
    }

    /// The data split of the checkpoint's training re-derived from its configuration at the model's input (side
    /// and channels), refused when its training images no longer match the checkpoint's membership hash: attacks
    /// and the edge rely on it to know which images were never training images.
    public func trainedRoles() throws -> (roles: Roles, plan: SplitPlan) {
        let plan = inputPlan
        let roles = try Roles.make(try Catalog.load(config.dataset), plan: plan)
        guard roles.train.membershipHash == data.train.sha256 else {
            throw TrainingError("\(config.dataset): the training images no longer match the checkpoint's "
                                + "membership hash \(data.train.sha256.prefix(12))…")
        }
        return (roles, plan)
    }
}
