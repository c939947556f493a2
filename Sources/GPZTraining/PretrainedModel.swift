import Foundation
import GPZConfig
import GPZData
import GPZModels

/// A target model trained elsewhere: `torchscript:FILE`, a stage archive written by `python/gpz_export.py`.
public struct PretrainedModel: Equatable, Sendable, CustomStringConvertible {
    public static let scheme = "torchscript:"
    /// The archive's path, as given (relative paths from the working directory).
    public var path: String

    public init(path: String) {
        self.path = path
    }

    /// `torchscript:FILE`; anything else is a `ConfigError` for `model`.
    public static func parse(_ text: String) throws -> PretrainedModel {
        guard text.hasPrefix(scheme), text.count > scheme.count else {
            throw ConfigError(field: "model", "'\(text)' is not torchscript:FILE (a model exported with python/gpz_export.py)")
        }
        return PretrainedModel(path: String(text.dropFirst(scheme.count)))
    }

    public var url: URL { URL(fileURLWithPath: path) }

    public var description: String { Self.scheme + path }

    /// The exported model and its description; a `ConfigError` for `model` naming the file otherwise.
    public func load() throws -> (model: StagedModel, metadata: ArchiveMetadata) {
        do {
            return try ScriptArchive.load(url)
        } catch let error as ModelError {
            throw ConfigError(field: "model", error.message)
        }
    }
}

extension PretrainedModel: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try PretrainedModel.parse(text) } catch let error as ConfigError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// SHA-256 of a file a setting names; a `ConfigError` for the setting when it cannot be read.
enum FileDigest {
    static func sha256(_ path: String, field: String) throws -> String {
        guard let digest = Digest.sha256Hex(contentsOf: path) else {
            throw ConfigError(field: field, "\(path): no such readable file")
        }
        return digest
    }
}
