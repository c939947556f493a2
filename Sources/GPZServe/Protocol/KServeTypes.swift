/// The JSON documents of the Open Inference Protocol (KServe v2, https://kserve.github.io/website/ — "Open
/// Inference Protocol (V2)"), as far as GPZ's cloud half uses them. Field names are the protocol's
/// (`model_name`, `binary_data_size`); Swift names are camel case.

/// A parameter value: the protocol allows a bool, a number or a string.
public enum ParameterValue: Codable, Sendable, Equatable {
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            throw DecodingError.typeMismatch(ParameterValue.self, .init(
                codingPath: decoder.codingPath, debugDescription: "expected a bool, a number or a string"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }

    /// The value as a number (an integer or a floating-point value), or nil.
    public var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        case .bool, .string: nil
        }
    }
}

/// A tensor's `data` in JSON: a flat array of numbers in row-major order, or (on input) the same numbers nested
/// one array level per dimension. Decoding flattens; encoding writes a flat array.
public enum TensorValues: Codable, Sendable, Equatable {
    /// Numbers; floats are written with as many digits as a `Double` needs, so a `Float` comes back bit for bit.
    case numbers([Double])
    /// Integers (INT64 outputs), written without a fraction.
    case integers([Int64])

    /// The deepest nesting accepted on input (a tensor of rank 8).
    public static let maxDepth = 8

    public init(from decoder: any Decoder) throws {
        var values: [Double] = []
        var container = try decoder.unkeyedContainer()
        try Self.flatten(&container, into: &values, depth: 1)
        self = .numbers(values)
    }

    private static func flatten(_ container: inout any UnkeyedDecodingContainer, into values: inout [Double],
                                depth: Int) throws {
        while !container.isAtEnd {
            if let value = try? container.decode(Double.self) {
                values.append(value)
                continue
            }
            let path = container.codingPath + [Index(intValue: container.currentIndex)]
            guard depth < maxDepth else {
                throw DecodingError.dataCorrupted(.init(codingPath: path,
                                                        debugDescription: "nested deeper than \(maxDepth) levels"))
            }
            guard var nested = try? container.nestedUnkeyedContainer() else {
                throw DecodingError.typeMismatch(Double.self, .init(
                    codingPath: path, debugDescription: "expected a number or an array of numbers"))
            }
            try flatten(&nested, into: &values, depth: depth + 1)
        }
    }

    /// The position of an element in an array, for error paths.
    private struct Index: CodingKey {
        let intValue: Int?
        var stringValue: String { "Index \(intValue ?? 0)" }
        init(intValue: Int) { self.intValue = intValue }
        init?(stringValue: String) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        switch self {
        case .numbers(let values): try container.encode(contentsOf: values)
        case .integers(let values): try container.encode(contentsOf: values)
        }
    }

    /// The values as doubles.
    public var doubles: [Double] {
        switch self {
        case .numbers(let values): values
        case .integers(let values): values.map(Double.init)
        }
    }
}

/// One tensor as the protocol writes it, in a request's `inputs` and in a response's `outputs` (both objects have
/// the same fields).
public struct InferenceTensor: Codable, Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var datatype: String
    /// `binary_data_size` (the binary tensor extension: the values follow in the binary section), and for INT8
    /// inputs `gpz_int8_scale`.
    public var parameters: [String: ParameterValue]?
    /// The values in JSON; absent when they travel in the binary section.
    public var data: TensorValues?

    public init(name: String, shape: [Int], datatype: String, parameters: [String: ParameterValue]? = nil,
                data: TensorValues? = nil) {
        self.name = name
        self.shape = shape
        self.datatype = datatype
        self.parameters = parameters
        self.data = data
    }
}

/// One input tensor of an inference request.
public typealias RequestInput = InferenceTensor

/// An output the client asks for; `parameters.binary_data` asks for it in the binary section.
public struct RequestedOutput: Codable, Sendable, Equatable {
    public var name: String
    public var parameters: [String: ParameterValue]?

    public init(name: String, parameters: [String: ParameterValue]? = nil) {
        self.name = name
        self.parameters = parameters
    }
}

/// `POST /v2/models/{name}/infer`'s JSON (the whole body, or its first `Inference-Header-Content-Length` bytes).
public struct InferenceRequest: Codable, Sendable, Equatable {
    public var id: String?
    /// Request-wide parameters: `binary_data_output` (all outputs binary), `gpz_int8_scale`.
    public var parameters: [String: ParameterValue]?
    public var inputs: [RequestInput]
    public var outputs: [RequestedOutput]?

    public init(id: String? = nil, parameters: [String: ParameterValue]? = nil, inputs: [RequestInput],
                outputs: [RequestedOutput]? = nil) {
        self.id = id
        self.parameters = parameters
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// One output tensor of an inference response.
public typealias ResponseOutput = InferenceTensor

/// The JSON of an inference response.
public struct InferenceResponse: Codable, Sendable, Equatable {
    public var modelName: String
    public var modelVersion: String?
    public var id: String?
    /// Response-wide parameters (the protocol's optional `parameters`): GPZ reports `gpz_compute_seconds`, the time
    /// the cloud half computed, and `gpz_server_seconds`, the time from the request's admission to its answer.
    public var parameters: [String: ParameterValue]?
    public var outputs: [ResponseOutput]

    /// The time the cloud half computed on the request, in seconds.
    public static let computeSecondsParameter = "gpz_compute_seconds"
    /// The time from the request's admission (body read, decoding, waiting for the model, computing) to the
    /// answer's encoding, in seconds.
    public static let serverSecondsParameter = "gpz_server_seconds"

    enum CodingKeys: String, CodingKey {
        case modelName = "model_name", modelVersion = "model_version", id, parameters, outputs
    }

    public init(modelName: String, modelVersion: String?, id: String?, parameters: [String: ParameterValue]? = nil,
                outputs: [ResponseOutput]) {
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.id = id
        self.parameters = parameters
        self.outputs = outputs
    }
}

/// `GET /v2`: who is serving and which protocol extensions it speaks.
public struct ServerMetadata: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var extensions: [String]
}

/// A tensor in model metadata: shape -1 marks the variable batch dimension.
public struct TensorMetadata: Codable, Sendable, Equatable {
    public var name: String
    public var datatype: String
    public var shape: [Int]
    public var parameters: [String: ParameterValue]?
}

/// `GET /v2/models/{name}`: the served split's input and the model's outputs.
public struct ModelMetadata: Codable, Sendable, Equatable {
    public var name: String
    public var versions: [String]
    public var platform: String
    public var inputs: [TensorMetadata]
    public var outputs: [TensorMetadata]
    /// GPZ's additions: the split's name and index, the architecture, the accepted datatypes.
    public var parameters: [String: ParameterValue]?
}

/// An error response: `{"error": "…"}`, as Triton writes them and tritonclient reads them.
public struct ErrorBody: Codable, Sendable, Equatable {
    public var error: String

    public init(error: String) {
        self.error = error
    }
}
