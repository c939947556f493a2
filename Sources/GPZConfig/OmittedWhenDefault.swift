import Foundation

/// A setting type with a default of its own, for `OmittedWhenDefault`.
public protocol DefaultedSetting: Codable, Equatable, Sendable {
    /// The value a configuration has when it does not name one.
    static var settingDefault: Self { get }
}

/// A configuration field added after results were stored under hashes of their configurations: at its default it
/// is left out of the encoded JSON, so the canonical JSON — and every hash of it (`CanonicalJSON.hash`, a scan's
/// study and attack hashes) — is what it was before the field existed; any other value is written, and changes
/// the hash. A JSON document without the key (or with null) decodes to the default. `ConfigDecoder` still knows
/// the key: `DefaultsTree` records the default as null, so a file may name it and a misspelling stays an error.
///
///     @OmittedWhenDefault public var encoding: WireEncoding   // WireEncoding.settingDefault
@propertyWrapper
public struct OmittedWhenDefault<Value: DefaultedSetting>: Codable, Equatable, Sendable {
    public var wrappedValue: Value

    /// The type's default.
    public init() {
        wrappedValue = Value.settingDefault
    }

    public init(wrappedValue: Value) {
        self.wrappedValue = wrappedValue
    }

    /// Whether the value is the default (and is therefore left out).
    public var isDefault: Bool { wrappedValue == Value.settingDefault }

    // Used only outside keyed containers (a keyed container uses the overloads below).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? Value.settingDefault : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

extension KeyedEncodingContainer {
    /// Leaves the field out (`encodeIfPresent(nil)`) at its default.
    public mutating func encode<Value>(_ value: OmittedWhenDefault<Value>, forKey key: Key) throws {
        try encodeIfPresent(value.isDefault ? nil : value.wrappedValue, forKey: key)
    }
}

extension KeyedDecodingContainer {
    /// The default when the key is absent or null.
    public func decode<Value>(_ type: OmittedWhenDefault<Value>.Type,
                              forKey key: Key) throws -> OmittedWhenDefault<Value> {
        OmittedWhenDefault(wrappedValue: try decodeIfPresent(Value.self, forKey: key) ?? Value.settingDefault)
    }
}
