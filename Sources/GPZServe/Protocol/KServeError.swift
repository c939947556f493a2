/// A request (or, on the client, a response) that breaks the Open Inference Protocol or does not fit the served
/// split. Every one is the client's fault: the server answers it with HTTP 400 and `{"error": "<description>"}`.
///
/// The description is one line: the field or header at fault, what was expected and what came, e.g.
/// `inputs[0].shape: expected [N, 8, 4, 4] with 1 ≤ N ≤ 256, got [1, 8, 4]`.
public struct KServeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of inconsistency this is (tests and callers switch on it; people read `description`).
    public enum Kind: String, Sendable, CaseIterable {
        /// The JSON header is not JSON, not UTF-8, or has a field of the wrong type.
        case malformedJSON
        /// `Inference-Header-Content-Length` is not a decimal byte count within the body.
        case headerLength
        /// The binary section does not match what the inputs' `binary_data_size` announce (short, long, missing).
        case binaryLayout
        /// A datatype the split does not take (or an unknown one).
        case datatype
        /// A shape that is not the split's [N, …] or whose element count overflows.
        case shape
        /// The number of values is not the product of the shape.
        case elementCount
        /// A NaN or infinite value, or one outside the datatype's range.
        case value
        /// An input whose name is not the served input's.
        case unknownInput
        /// Not exactly one input.
        case inputCount
        /// A requested output that the model does not produce, or one requested twice.
        case unknownOutput
        /// A parameter with a wrong type or value (e.g. `gpz_int8_scale` ≤ 0).
        case parameter
        /// A protocol feature this server does not implement (shared memory, classification outputs).
        case unsupported
    }

    public let kind: Kind
    /// The JSON path or header at fault: `inputs[0].shape`, `Inference-Header-Content-Length`, `outputs[1].name`.
    public let field: String
    /// What was expected and what came.
    public let message: String

    public init(_ kind: Kind, field: String, _ message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
