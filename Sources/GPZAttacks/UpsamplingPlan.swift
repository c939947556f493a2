/// How a decoder grows a square map of side h to exactly the image side S with ConvTranspose(k = 4, s = 2)
/// stages, whose output side is 2·h_in + 2 − 2p + op (padding p, output padding op ∈ {0, 1}).
///
/// Counting back from S by halving (rounding down) gives the chain S, ⌊S/2⌋, ⌊S/4⌋, … down to the last side that
/// is still ≥ h: 64 → 32 → … → 1, and 28 → 14 → 7 → 3 → 1 for sizes that are not powers of two. Each step up
/// the chain doubles (p = 1, op = 0: the paper's ConvTranspose(4, 2, 1)) or doubles plus one (p = 1, op = 1:
/// 3 → 7). When h itself is not on the chain (4 or 2 at 28 px), the first stage goes from h to the chain's
/// smallest side t > h, which lies in (h, 2h + 1]: with d = 2h + 2 − t, p = ⌈d / 2⌉ and op = 2p − d, e.g.
/// 4 → 7 with p = 2, op = 1. So the stages are the fewest stride-2 ones that reach S, and the output is
/// exactly S × S. A map already at S needs no stage; a larger one is first average-pooled down to S.
public struct UpsamplingPlan: Equatable, Sendable {
    /// One ConvTranspose(4, 2, padding, outputPadding) stage.
    public struct Step: Equatable, Sendable {
        public let inputSide: Int
        public let outputSide: Int
        public let padding: Int
        public let outputPadding: Int

        public init(inputSide: Int, outputSide: Int, padding: Int, outputPadding: Int) {
            self.inputSide = inputSide
            self.outputSide = outputSide
            self.padding = padding
            self.outputPadding = outputPadding
        }
    }

    public static let kernelSize = 4
    public static let stride = 2

    public let inputSide: Int
    public let outputSide: Int
    public let steps: [Step]

    /// Whether the map is larger than the image and must be pooled down to it first.
    public var needsDownsampling: Bool { inputSide > outputSide }

    public init(from inputSide: Int, to outputSide: Int) throws {
        try AttackError.check(inputSide >= 1 && outputSide >= 1,
                              "UpsamplingPlan: sides must be positive, got \(inputSide) → \(outputSide)")
        self.inputSide = inputSide
        self.outputSide = outputSide
        var chain = [outputSide]
        while let last = chain.last, last / 2 >= inputSide { chain.append(last / 2) }
        guard inputSide < outputSide else {
            steps = []
            return
        }
        var steps: [Step] = []
        var side = inputSide
        for target in chain.reversed() where target > side {
            let deficit = 2 * side + 2 - target
            let padding = (deficit + 1) / 2
            steps.append(Step(inputSide: side, outputSide: target, padding: padding,
                              outputPadding: 2 * padding - deficit))
            side = target
        }
        self.steps = steps
    }
}
