import Foundation
import GPZTensor

/// What the cloud answered: the logits (when asked for) and the predicted classes (when asked for).
public struct InferenceResult: Sendable, Equatable {
    public var modelName: String
    public var id: String?
    /// The batch size N.
    public var batch: Int
    /// Logits per sample (0 when `logits` was not asked for).
    public var classes: Int
    /// N × classes logits, row-major; empty when not asked for.
    public var logits: [Float]
    /// The `class` output (the arg-max of each row), when asked for.
    public var predictedClasses: [Int]?
    /// The response's `parameters` (GPZ's server reports `gpz_compute_seconds` and `gpz_server_seconds`).
    public var parameters: [String: ParameterValue] = [:]

    /// The cloud's compute time the server reported (`gpz_compute_seconds`), when it did.
    public var computeSeconds: Double? { parameters[InferenceResponse.computeSecondsParameter]?.number }
    /// The server's time from admission to answer (`gpz_server_seconds`), when it reported it.
    public var serverSeconds: Double? { parameters[InferenceResponse.serverSecondsParameter]?.number }
}

extension InferenceCodec {
    // MARK: Requests (client side)

    /// The body of an inference request for `features` (N × per-sample values, row-major) of shape `shape`
    /// ([N, …split shape]) sent with `encoding`: in the binary section when `binary` (the binary tensor extension),
    /// else as JSON numbers. An INT8 input carries its scale as the input's `gpz_int8_scale` parameter.
    public static func encodeRequest(features: [Float], shape: [Int], encoding: FeatureEncoding,
                                     inputName: String = ServedSignature.defaultInputName, binary: Bool,
                                     outputs: [OutputChoice], id: String? = nil) -> EncodedBody {
        var input = RequestInput(name: inputName, shape: shape, datatype: encoding.datatype)
        var parameters: [String: ParameterValue] = [:]
        if case .int8(let scale) = encoding {
            parameters[FeatureEncoding.int8ScaleParameter] = .double(Double(scale))
        }
        var payload: [UInt8] = []
        if binary {
            payload = FeatureQuantizer.bytes(features, as: encoding)
            parameters["binary_data_size"] = .int(Int64(payload.count))
        } else {
            input.data = .numbers(FeatureQuantizer.jsonValues(features, as: encoding))
        }
        input.parameters = parameters.isEmpty ? nil : parameters
        let requested = outputs.map { output in
            RequestedOutput(name: output.name, parameters: ["binary_data": .bool(output.binary)])
        }
        let json = Self.json(InferenceRequest(id: id, inputs: [input], outputs: requested))
        guard binary else { return EncodedBody(bytes: json, headerLength: nil, contentType: "application/json") }
        return EncodedBody(bytes: json + payload, headerLength: json.count, contentType: "application/octet-stream")
    }

    // MARK: Responses (client side)

    /// Parses a response body (with its `Inference-Header-Content-Length`, nil when absent): the `logits` output
    /// (FP32 [N, K]) and the `class` output (INT64 [N]), whichever it holds, checked for consistency.
    public static func decodeResponse(body: [UInt8], headerLength: String?) throws(KServeError) -> InferenceResult {
        let (json, binarySection) = try split(body, headerLength: headerLength)
        let response: InferenceResponse = try decodeJSON(json, headerGiven: headerLength != nil)
        var binary = binarySection ?? []
        var result = InferenceResult(modelName: response.modelName, id: response.id, batch: 0, classes: 0, logits: [],
                                     predictedClasses: nil, parameters: response.parameters ?? [:])
        var batch: Int?
        for (i, output) in response.outputs.enumerated() {
            let field = "outputs[\(i)]"
            let values: [Double]
            switch (output.name, output.datatype, output.shape.count) {
            case (ServedSignature.logitsOutput, "FP32", 2):
                values = try outputValues(output, bytesPerValue: 4, binary: &binary, field: field)
                result.logits = values.map(Float.init)
                result.classes = output.shape[1]
            case (ServedSignature.classOutput, "INT64", 1):
                values = try outputValues(output, bytesPerValue: 8, binary: &binary, field: field)
                result.predictedClasses = values.map { Int(exactly: $0) ?? -1 }
            default:
                continue
            }
            if let batch, batch != output.shape[0] {
                throw KServeError(.shape, field: "\(field).shape",
                                  "expected batch \(batch) like the other outputs, got \(shapeText(output.shape))")
            }
            batch = output.shape[0]
        }
        guard binary.isEmpty else {
            throw KServeError(.binaryLayout, field: "body", "\(binary.count) bytes after the last binary output")
        }
        guard let batch else {
            throw KServeError(.unknownOutput, field: "outputs",
                              "expected 'logits' (FP32, rank 2) or 'class' (INT64, rank 1)")
        }
        result.batch = batch
        return result
    }

    /// An output's values from its `data` or from the front of the binary section, counted against its shape.
    private static func outputValues(_ output: ResponseOutput, bytesPerValue: Int, binary: inout ArraySlice<UInt8>,
                                     field: String) throws(KServeError) -> [Double] {
        let count = output.shape.reduce(Int?(1)) { product, size in
            guard let product, size >= 0 else { return nil }
            let (result, overflow) = product.multipliedReportingOverflow(by: size)
            return overflow || result > 1 << 32 ? nil : result
        }
        guard let count else {
            throw KServeError(.shape, field: "\(field).shape",
                              "expected sizes ≥ 0 holding at most 2³² values, got \(shapeText(output.shape))")
        }
        guard case .int(let size)? = output.parameters?["binary_data_size"] else {
            guard let data = output.data?.doubles, data.count == count else {
                throw KServeError(.elementCount, field: "\(field).data",
                                  "expected \(count) values (shape \(shapeText(output.shape))), "
                                  + "got \(output.data?.doubles.count ?? 0)")
            }
            return data
        }
        guard size == Int64(count * bytesPerValue), binary.count >= Int(size) else {
            throw KServeError(.binaryLayout, field: "\(field).parameters.binary_data_size",
                              "expected \(count * bytesPerValue) bytes with \(binary.count) left in the binary "
                              + "section, got \(size)")
        }
        let bytes = binary.prefix(Int(size))
        binary = binary.dropFirst(Int(size))
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { i in
                let offset = bytesPerValue * i
                return bytesPerValue == 4
                    ? Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset,
                                                                                      as: UInt32.self))))
                    : Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
            }
        }
    }
}
