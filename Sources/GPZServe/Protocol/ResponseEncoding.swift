import Foundation
import GPZTensor

/// A body ready to send: its bytes, the `Inference-Header-Content-Length` value when it has a binary section, and
/// its content type (application/octet-stream with a binary section, as Triton answers; else application/json).
public struct EncodedBody: Sendable, Equatable {
    public var bytes: [UInt8]
    public var headerLength: Int?
    public var contentType: String
}

/// Model outputs that JSON cannot carry (a NaN or infinite logit): a fault of the model, not of the request.
public struct OutputEncodingError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

extension InferenceCodec {
    /// The response to `request`: `logits` (FP32 [N, classes]) and/or `class` (INT64 [N], the index of each row's
    /// largest logit, the first on ties), in the order asked for, each in JSON or in the binary section as asked.
    /// JSON numbers are written with a double's digits, so a client reading them as float32 gets the logits bit
    /// for bit.
    /// `parameters` go in the response's `parameters` (nil or empty: none).
    public static func encodeResponse(logits: [Float], for request: DecodedRequest, signature: ServedSignature,
                                      parameters: [String: ParameterValue]? = nil) throws -> EncodedBody {
        let batch = request.batch, classes = signature.classes
        guard logits.count == batch * classes else {
            throw OutputEncodingError(description: "the model produced \(logits.count) logits for \(batch) samples of "
                                      + "\(classes) classes")
        }
        var outputs: [ResponseOutput] = []
        var binary: [UInt8] = []
        for choice in request.outputs {
            var output: ResponseOutput
            var bytes: [UInt8] = []
            switch choice.name {
            case ServedSignature.classOutput:
                let indices = argmax(logits, rows: batch, columns: classes)
                output = ResponseOutput(name: choice.name, shape: [batch], datatype: "INT64")
                if choice.binary {
                    bytes.reserveCapacity(8 * batch)
                    for value in indices {
                        withUnsafeBytes(of: Int64(value).littleEndian) { bytes.append(contentsOf: $0) }
                    }
                } else {
                    output.data = .integers(indices.map(Int64.init))
                }
            default:
                output = ResponseOutput(name: choice.name, shape: [batch, classes], datatype: "FP32")
                if choice.binary {
                    bytes.reserveCapacity(4 * logits.count)
                    for value in logits {
                        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                    }
                } else {
                    if let bad = logits.firstIndex(where: { !$0.isFinite }) {
                        throw OutputEncodingError(description: "the model produced a non-finite logit (\(logits[bad]) "
                                                  + "at flat index \(bad)), which JSON cannot carry")
                    }
                    output.data = .numbers(logits.map(Double.init))
                }
            }
            if choice.binary {
                output.parameters = ["binary_data_size": .int(Int64(bytes.count))]
                binary += bytes
            }
            outputs.append(output)
        }
        let response = InferenceResponse(modelName: signature.modelName, modelVersion: signature.modelVersion,
                                         id: request.id, parameters: parameters?.isEmpty == false ? parameters : nil,
                                         outputs: outputs)
        let json = [UInt8](try jsonEncoder.encode(response))
        guard request.outputs.contains(where: \.binary) else {
            return EncodedBody(bytes: json, headerLength: nil, contentType: "application/json")
        }
        return EncodedBody(bytes: json + binary, headerLength: json.count, contentType: "application/octet-stream")
    }

    /// For each of `rows` rows of `values`, the index of its largest value (the first of equal ones; a NaN wins,
    /// as in libtorch).
    public static func argmax(_ values: [Float], rows: Int, columns: Int) -> [Int] {
        (0..<rows).map { row in
            var best = 0
            for column in 0..<columns {
                let value = values[row * columns + column]
                if value.isNaN { return column }
                if value > values[row * columns + best] { best = column }
            }
            return best
        }
    }

    /// The protocol's JSON: keys sorted, so equal documents are equal bytes.
    static var jsonEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// `value` as one line of JSON (metadata, errors).
    public static func json<T: Encodable>(_ value: T) -> [UInt8] {
        // Every type encoded here has string, integer and finite-number fields only, which always encode.
        (try? [UInt8](jsonEncoder.encode(value))) ?? [UInt8]("{}".utf8)
    }
}
