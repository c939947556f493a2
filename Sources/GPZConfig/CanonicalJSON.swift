import Foundation

/// The project's JSON encodings: canonical (keys sorted, one line) for hashes and `--json`, pretty for files.
public enum CanonicalJSON {
    /// Keys sorted, slashes unescaped; `pretty` adds indentation for files people read; `nonFiniteAsStrings`
    /// writes ±∞ and NaN as "inf", "-inf" and "nan" (statistics can be non-finite; hashed settings must not be).
    public static func encoder(pretty: Bool = false, nonFiniteAsStrings: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        if nonFiniteAsStrings {
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf",
                                                                          negativeInfinity: "-inf", nan: "nan")
        }
        return encoder
    }

    /// The canonical bytes of `value`.
    public static func data<T: Encodable>(_ value: T) throws -> Data { try encoder().encode(value) }

    /// One line of canonical JSON.
    public static func line<T: Encodable>(_ value: T) throws -> String { String(decoding: try data(value), as: UTF8.self) }

    /// SHA-256 (hex) of the canonical JSON of `value`; a value that cannot be encoded (a non-finite number) throws
    /// rather than hashing nothing.
    public static func hash<T: Encodable>(_ value: T) throws -> String { Digest.sha256Hex([UInt8](try data(value))) }
}

/// The one convention of GPZ's result files (`results.json`, `analysis.json`, `comparison.json`, …): pretty, keys
/// sorted, slashes as they are, and the non-finite numbers a statistic can take (an entropy bound, an empty
/// class's radius) written as the strings "inf", "-inf" and "nan" and read back from them.
public enum ResultsJSON {
    public static func encoder() -> JSONEncoder {
        CanonicalJSON.encoder(pretty: true, nonFiniteAsStrings: true)
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                        nan: "nan")
        return decoder
    }
}
