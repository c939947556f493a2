/// The a-priori GPZ rule of the paper's code (`run_mean_radius` in `active identification.py`), reproduced
/// exactly but applicable to any per-split quantity.
///
/// For values v_0…v_{n−1} at candidate splits s_0…s_{n−1} (forward order):
/// 1. gap i (between s_i and s_{i+1}) has the relative drop p_i = (v_i − v_{i+1}) / v_i, or 0 when v_i = 0;
/// 2. a is the gap with the largest drop and b the one with the second largest (ties: the earlier gap first);
///    the split after a, s_{a+1}, is always selected;
/// 3. with one gap only s_{a+1} is returned; otherwise, if any gap strictly between a and b has |p_i| ≥ 0.2 the
///    two drops are separate transitions and s_{b+1} is selected too; if none has (or a and b are adjacent) they
///    are one transition and only s_{a+1} is returned.
public struct RelativeDropRule: Sendable, Equatable {
    /// The paper's 20 % separation threshold.
    public static let paperSeparation = 0.2

    /// A gap between the two largest drops with |p_i| at or above this separates them into two zones.
    public var separation: Double

    public init(separation: Double = paperSeparation) {
        self.separation = separation
    }

    /// The outcome: the selected splits (after the largest drop, then possibly after the second largest) and
    /// the numbers behind them.
    public struct Selection: Equatable, Sendable {
        /// Selected split indices, the one after the largest drop first.
        public let splits: [Int]
        /// p_i for every gap.
        public let drops: [Double]
        /// Position of the gap with the largest drop.
        public let largestGap: Int
        /// Position of the gap with the second-largest drop, nil with a single gap.
        public let secondGap: Int?
    }

    /// p_i = (v_i − v_{i+1}) / v_i, 0 where v_i = 0.
    public static func relativeDrops(_ values: [Double]) -> [Double] {
        zip(values, values.dropFirst()).map { previous, current in
            previous != 0 ? (previous - current) / previous : 0
        }
    }

    /// Applies the rule to `values` at the candidate split indices `splits` (at least two, strictly increasing).
    public func select(splits: [Int], values: [Double]) throws -> Selection {
        try SplitSequence.validate(splits: splits, values: values, what: "criterion", minimum: 2)
        let drops = Self.relativeDrops(values)
        let order = SplitSequence.positionsByDecreasingValue(drops)
        let largest = order[0]
        guard order.count > 1 else {
            return Selection(splits: [splits[largest + 1]], drops: drops, largestGap: largest, secondGap: nil)
        }
        let second = order[1]
        let between = (Swift.min(largest, second) + 1)..<Swift.max(largest, second)
        let separated = between.contains { Swift.abs(drops[$0]) >= separation }
        let selected = separated ? [splits[largest + 1], splits[second + 1]] : [splits[largest + 1]]
        return Selection(splits: selected, drops: drops, largestGap: largest, secondGap: second)
    }
}
