import Foundation
import GPZConfig
import GPZTensor

/// An output the client asked for, and whether it goes in the binary section.
public struct OutputChoice: Sendable, Equatable {
    public var name: String
    public var binary: Bool

    public init(name: String, binary: Bool) {
        self.name = name
        self.binary = binary
    }
}

/// An inference request checked against the served signature: the features as float32 values, ready for the model.
public struct DecodedRequest: Sendable, Equatable {
    /// The request's `id`, echoed in the response.
    public var id: String?
    /// The batch size N.
    public var batch: Int
    /// How the features travelled.
    public var encoding: FeatureEncoding
    /// N × (values per sample) values, row-major, every one finite: what the cloud half computes on.
    public var features: [Float]
    /// The outputs to return, in the order asked for (`logits` alone when none were named).
    public var outputs: [OutputChoice]
}

/// The Open Inference Protocol's request and response bodies, with the binary tensor extension: when the header
/// `Inference-Header-Content-Length: n` is present, the body's first n bytes are the JSON and the rest is the binary
/// section, where every input with `parameters.binary_data_size` takes its bytes in input order (little-endian,
/// row-major). Plain Swift: no I/O, no networking; every inconsistency is a `KServeError`, never a crash, and nothing
/// in a body is ever evaluated.
public enum InferenceCodec {
    /// The binary tensor extension's header.
    public static let headerLengthField = "Inference-Header-Content-Length"
    /// The longest request `id` echoed back.
    public static let maxIDLength = 256

    // MARK: Requests (server side)

    /// Parses and checks one request body for `signature`. `headerLength` is the value of
    /// `Inference-Header-Content-Length`, nil when the header is absent (then the whole body is JSON).
    public static func decodeRequest(body: [UInt8], headerLength: String?,
                                     for signature: ServedSignature) throws(KServeError) -> DecodedRequest {
        let (json, binary) = try split(body, headerLength: headerLength)
        let request: InferenceRequest = try decodeJSON(json, headerGiven: headerLength != nil)
        if let id = request.id, id.count > maxIDLength {
            throw KServeError(.parameter, field: "id", "expected at most \(maxIDLength) characters, got \(id.count)")
        }
        guard request.inputs.count == 1 else {
            throw KServeError(.inputCount, field: "inputs",
                              "expected exactly one input '\(signature.inputName)', got \(request.inputs.count)")
        }
        let input = request.inputs[0]
        let field = "inputs[0]"
        guard input.name == signature.inputName else {
            throw KServeError(.unknownInput, field: "\(field).name",
                              "expected '\(signature.inputName)', got \(quoted(input.name))")
        }
        let count = try checkShape(input.shape, field: "\(field).shape", signature: signature)
        let encoding = try encoding(of: input, request: request, field: field)
        let features: [Float]
        if let size = try binaryDataSize(input, field: field) {
            guard input.data == nil else {
                throw KServeError(.binaryLayout, field: "\(field).data",
                                  "expected no data when parameters.binary_data_size is given")
            }
            guard let binary else {
                throw KServeError(.binaryLayout, field: "\(field).parameters.binary_data_size",
                                  "the binary tensor extension needs the \(headerLengthField) header")
            }
            let expected = count * encoding.bytesPerValue
            guard size == expected else {
                throw KServeError(.binaryLayout, field: "\(field).parameters.binary_data_size",
                                  "expected \(expected) bytes (\(count) values of \(encoding.datatype), "
                                  + "\(encoding.bytesPerValue) bytes each), got \(size)")
            }
            guard binary.count == size else {
                throw KServeError(.binaryLayout, field: "body",
                                  "expected \(size) bytes after the \(json.count)-byte JSON header, "
                                  + "got \(binary.count)")
            }
            features = try decodeBinary(binary, encoding: encoding, field: field)
        } else {
            guard let data = input.data else {
                throw KServeError(.elementCount, field: "\(field).data",
                                  "missing: give the values in data or in the binary section")
            }
            if let binary, !binary.isEmpty {
                throw KServeError(.binaryLayout, field: "body",
                                  "expected nothing after the \(json.count)-byte JSON header (no input has "
                                  + "binary_data_size), got \(binary.count) bytes")
            }
            let values = data.doubles
            guard values.count == count else {
                throw KServeError(.elementCount, field: "\(field).data",
                                  "expected \(count) values (the product of shape \(shapeText(input.shape))), "
                                  + "got \(values.count)")
            }
            features = try decodeJSONValues(values, encoding: encoding, field: "\(field).data")
        }
        let outputs = try outputChoices(request)
        return DecodedRequest(id: request.id, batch: input.shape[0], encoding: encoding, features: features,
                              outputs: outputs)
    }

    /// The JSON part and (when the header is given) the binary section of `body`.
    static func split(_ body: [UInt8], headerLength: String?)
        throws(KServeError) -> (json: ArraySlice<UInt8>, binary: ArraySlice<UInt8>?) {
        guard let headerLength else { return (body[...], nil) }
        guard !headerLength.isEmpty, headerLength.utf8.count <= 18,
              headerLength.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = Int(headerLength) else {
            throw KServeError(.headerLength, field: headerLengthField,
                              "expected a decimal byte count, got \(quoted(headerLength))")
        }
        guard length > 0, length <= body.count else {
            throw KServeError(.headerLength, field: headerLengthField,
                              "expected 1…\(body.count) (the body's length), got \(length)")
        }
        return (body[..<length], body[length...])
    }

    /// `json` decoded as `T`; a decoding failure names the field at fault.
    static func decodeJSON<T: Decodable>(_ json: ArraySlice<UInt8>, headerGiven: Bool) throws(KServeError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(json))
        } catch let error as DecodingError {
            let (field, message) = describe(error, root: headerGiven ? "JSON header" : "body")
            throw KServeError(.malformedJSON, field: field, message)
        } catch {
            throw KServeError(.malformedJSON, field: headerGiven ? "JSON header" : "body", "not JSON (\(error))")
        }
    }

    /// The number of values `shape` holds, after checking it is [N, …featureShape] with 1 ≤ N ≤ maxBatch.
    static func checkShape(_ shape: [Int], field: String, signature: ServedSignature) throws(KServeError) -> Int {
        guard shape.count == signature.featureShape.count + 1, Array(shape.dropFirst()) == signature.featureShape,
              (1...signature.maxBatch).contains(shape[0]) else {
            throw KServeError(.shape, field: field,
                              "expected \(signature.inputShapeText) with 1 ≤ N ≤ \(signature.maxBatch), "
                              + "got \(shapeText(shape))")
        }
        let (count, overflow) = shape[0].multipliedReportingOverflow(by: signature.valuesPerSample)
        guard !overflow else {
            throw KServeError(.shape, field: field, "\(shapeText(shape)) holds too many values")
        }
        return count
    }

    /// The input's encoding: its datatype, and for INT8 the scale from the input's or the request's parameters.
    static func encoding(of input: RequestInput, request: InferenceRequest,
                         field: String) throws(KServeError) -> FeatureEncoding {
        let key = FeatureEncoding.int8ScaleParameter
        let ownScale = input.parameters?[key]
        let scaleField = ownScale != nil ? "\(field).parameters.\(key)" : "parameters.\(key)"
        let scale = ownScale ?? request.parameters?[key]
        switch input.datatype {
        case "FP32", "FP16":
            if scale != nil {
                throw KServeError(.parameter, field: scaleField,
                                  "only for INT8 inputs, but the datatype is \(input.datatype)")
            }
            return input.datatype == "FP32" ? .fp32 : .fp16
        case "INT8":
            guard let scale else {
                throw KServeError(.parameter, field: "\(field).parameters.\(key)",
                                  "missing: an INT8 input needs its scale (value = int8 × scale), in the input's "
                                  + "or the request's parameters")
            }
            guard let number = scale.number, number.isFinite, number > 0, Float(number).isFinite,
                  Float(number) > 0 else {
                throw KServeError(.parameter, field: scaleField,
                                  "expected a positive finite float32 number, got \(describe(scale))")
            }
            return .int8(scale: Float(number))
        default:
            throw KServeError(.datatype, field: "\(field).datatype",
                              "expected one of \(FeatureEncoding.acceptedDatatypes.joined(separator: ", ")), "
                              + "got \(quoted(input.datatype))")
        }
    }

    /// The input's `binary_data_size`, nil when absent; shared-memory parameters are refused.
    static func binaryDataSize(_ input: RequestInput, field: String) throws(KServeError) -> Int? {
        let parameters = input.parameters ?? [:]
        if let key = parameters.keys.filter({ $0.hasPrefix("shared_memory") }).min() {
            throw KServeError(.unsupported, field: "\(field).parameters.\(key)",
                              "shared memory is not supported; send the values in the body")
        }
        guard let value = parameters["binary_data_size"] else { return nil }
        guard case .int(let size) = value, size >= 0, size <= Int64(Int.max) else {
            throw KServeError(.parameter, field: "\(field).parameters.binary_data_size",
                              "expected a byte count (an integer ≥ 0), got \(describe(value))")
        }
        return Int(size)
    }

    /// Little-endian values of `encoding` from `bytes` (whose length was checked), each one finite.
    static func decodeBinary(_ bytes: ArraySlice<UInt8>, encoding: FeatureEncoding,
                             field: String) throws(KServeError) -> [Float] {
        let count = bytes.count / encoding.bytesPerValue
        var values = [Float](repeating: 0, count: count)
        var bad: Int?
        bytes.withUnsafeBytes { raw in
            switch encoding {
            case .fp32:
                for i in 0..<count {
                    let value = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i,
                                                                                         as: UInt32.self)))
                    if !value.isFinite, bad == nil { bad = i }
                    values[i] = value
                }
            case .fp16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    if !Half.isFinite(bits), bad == nil { bad = i }
                    values[i] = Half.float(bits)
                }
            case .int8(let scale):
                for i in 0..<count {
                    let value = Float(Int8(bitPattern: raw[i])) * scale
                    if !value.isFinite, bad == nil { bad = i }
                    values[i] = value
                }
            }
        }
        if let bad {
            throw KServeError(.value, field: field,
                              "expected finite values, got \(nonFinite(values[bad])) at flat index \(bad) "
                              + "(binary section)")
        }
        return values
    }

    /// JSON numbers as values of `encoding`: FP32 rounded to float32, FP16 rounded to the nearest half, INT8 integers
    /// in −128…127 times the scale; each one finite.
    static func decodeJSONValues(_ numbers: [Double], encoding: FeatureEncoding,
                                 field: String) throws(KServeError) -> [Float] {
        var values = [Float](repeating: 0, count: numbers.count)
        for (i, number) in numbers.enumerated() {
            let value: Float
            switch encoding {
            case .fp32:
                value = Float(number)
            case .fp16:
                value = Half.float(Half.bits(Float(number)))
            case .int8(let scale):
                guard number == number.rounded(), number >= -128, number <= 127 else {
                    throw KServeError(.value, field: "\(field)[\(i)]",
                                      "expected an integer in −128…127, got \(number)")
                }
                value = Float(number) * scale
            }
            guard value.isFinite else {
                throw KServeError(.value, field: "\(field)[\(i)]",
                                  "expected a finite \(encoding.datatype) value, got \(number)")
            }
            values[i] = value
        }
        return values
    }

    /// The outputs asked for: `outputs[].name` (logits or class, each at most once) with `parameters.binary_data`,
    /// defaulting to the request's `binary_data_output`; `logits` alone when the request names none.
    static func outputChoices(_ request: InferenceRequest) throws(KServeError) -> [OutputChoice] {
        var defaultBinary = false
        if let value = request.parameters?["binary_data_output"] {
            guard case .bool(let flag) = value else {
                throw KServeError(.parameter, field: "parameters.binary_data_output",
                                  "expected true or false, got \(describe(value))")
            }
            defaultBinary = flag
        }
        guard let outputs = request.outputs, !outputs.isEmpty else {
            return [OutputChoice(name: ServedSignature.logitsOutput, binary: defaultBinary)]
        }
        var choices: [OutputChoice] = []
        for (i, output) in outputs.enumerated() {
            let field = "outputs[\(i)]"
            guard ServedSignature.outputNames.contains(output.name) else {
                throw KServeError(.unknownOutput, field: "\(field).name",
                                  "expected 'logits' or 'class', got \(quoted(output.name))")
            }
            guard !choices.contains(where: { $0.name == output.name }) else {
                throw KServeError(.unknownOutput, field: "\(field).name", "'\(output.name)' is requested twice")
            }
            let parameters = output.parameters ?? [:]
            if parameters["classification"] != nil {
                throw KServeError(.unsupported, field: "\(field).parameters.classification",
                                  "classification outputs are not supported; request the output 'class' (arg-max)")
            }
            if let key = parameters.keys.filter({ $0.hasPrefix("shared_memory") }).min() {
                throw KServeError(.unsupported, field: "\(field).parameters.\(key)",
                                  "shared memory is not supported; outputs come in the body")
            }
            var binary = defaultBinary
            if let value = parameters["binary_data"] {
                guard case .bool(let flag) = value else {
                    throw KServeError(.parameter, field: "\(field).parameters.binary_data",
                                      "expected true or false, got \(describe(value))")
                }
                binary = flag
            }
            choices.append(OutputChoice(name: output.name, binary: binary))
        }
        return choices
    }

    // MARK: Messages

    /// A non-finite value as people write it: NaN, +infinity, -infinity.
    static func nonFinite(_ value: Float) -> String {
        value.isNaN ? "NaN" : value > 0 ? "+infinity" : "-infinity"
    }

    /// A parameter value as it was written.
    static func describe(_ value: ParameterValue) -> String {
        switch value {
        case .bool(let flag): "\(flag)"
        case .int(let number): "\(number)"
        case .double(let number): "\(number)"
        case .string(let text): quoted(text)
        }
    }

    /// The JSON path and a one-line reason for a decoding failure (`inputs[0].shape[1]`, "expected an integer"),
    /// told by GPZConfig's one formatter of decoding errors, `DecodingFailure`.
    static func describe(_ error: DecodingError, root: String) -> (field: String, message: String) {
        let failure = DecodingFailure(error, topLevel: root, vocabulary: .json) { type in
            type is ParameterValue.Type ? "a bool, a number or a string" : nil
        }
        return (failure.field, failure.explained)
    }
}
