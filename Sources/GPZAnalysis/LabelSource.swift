/// Which labels define the classes c in R_c² and π_c.
public enum LabelSource: String, Codable, Sendable, CaseIterable {
    /// The dataset's ground-truth labels (the default).
    case truth = "true"
    /// The model's predictions, argmax of the logits, as the paper's `active identification.py` does.
    case predicted
}
