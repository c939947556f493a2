import GPZModels

extension SplitSelection {
    /// The zone's candidate split points of `model` (`analysis.candidates`), in forward order; an error naming a
    /// split the model lacks, the logits, or fewer than two candidates.
    public func candidates(_ model: some SplittableModel) throws -> [SplitPoint] {
        let points: [SplitPoint]
        do {
            points = try candidatePoints(model)
        } catch let error as ModelError {
            throw AnalysisError("candidates: \(error.message)")
        }
        try AnalysisError.check(!points.contains(where: \.isLogits), "candidates: the logits are not a partition; "
                                + "list split points before the classifier output")
        try AnalysisError.check(points.count >= 2, "candidates: \(self) gives \(points.count) split(s) of "
                                + "\(model.config.architecture); at least two are needed to locate a zone")
        return points
    }
}
