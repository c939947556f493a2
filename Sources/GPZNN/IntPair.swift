/// Two sizes, (height, width), for a kernel, stride, padding or dilation. An integer literal sets both, as a single
/// `int` does in PyTorch: `kernelSize: 3` is `IntPair(3, 3)`.
public struct IntPair: Equatable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    public init(_ both: Int) {
        self.init(both, both)
    }

    public init(integerLiteral value: Int) {
        self.init(value)
    }

    /// The pair in the form the tensor functions take.
    public var tuple: (Int, Int) { (height, width) }

    /// Both sizes multiplied.
    public var product: Int { height * width }

    public var description: String { "(\(height), \(width))" }
}
