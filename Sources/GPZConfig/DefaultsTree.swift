import Foundation

/// A value encoded as a tree of mappings and JSON leaves in which nil optional fields are kept (as `NSNull`), so
/// that `ConfigDecoder` knows every field a section has, set or not.
enum DefaultsTree {
    static func encode<T: Encodable>(_ value: T) throws -> Any {
        let leaf = try JSONSerialization.jsonObject(with: CanonicalJSON.data(value), options: [.fragmentsAllowed])
        guard leaf is [String: Any] else { return leaf }
        let encoder = TreeEncoder()
        try value.encode(to: encoder)
        return encoder.fields.values
    }
}

/// The fields of one mapping being encoded.
final class TreeFields {
    var values: [String: Any] = [:]
}

/// An encoder for types that encode as mappings; every field goes through `DefaultsTree`.
final class TreeEncoder: Encoder {
    let fields = TreeFields()
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(TreeContainer<Key>(fields: fields))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        preconditionFailure("DefaultsTree encodes mappings only; lists go through JSONEncoder")
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        preconditionFailure("DefaultsTree encodes mappings only; single values go through JSONEncoder")
    }
}

/// Records each field's tree, and `NSNull` for a nil optional (which `JSONEncoder` would leave out).
struct TreeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let fields: TreeFields
    var codingPath: [CodingKey] = []

    mutating func encodeNil(forKey key: Key) throws { fields.values[key.stringValue] = NSNull() }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        fields.values[key.stringValue] = try DefaultsTree.encode(value)
    }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws { try encode(Box(value), forKey: key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try encode(Box(value), forKey: key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try encode(Box(value), forKey: key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try encode(Box(value), forKey: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try encode(Box(value), forKey: key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try encode(Box(value), forKey: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try encode(Box(value), forKey: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try encode(Box(value), forKey: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try encode(Box(value), forKey: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try encode(Box(value), forKey: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try encode(Box(value), forKey: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try encode(Box(value), forKey: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try encode(Box(value), forKey: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try encode(Box(value), forKey: key) }

    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeIfPresent(value.map(Box.init), forKey: key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeIfPresent(value.map(Box.init), forKey: key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeIfPresent(value.map(Box.init), forKey: key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeIfPresent(value.map(Box.init), forKey: key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeIfPresent(value.map(Box.init), forKey: key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeIfPresent(value.map(Box.init), forKey: key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeIfPresent(value.map(Box.init), forKey: key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeIfPresent(value.map(Box.init), forKey: key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeIfPresent(value.map(Box.init), forKey: key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encodeIfPresent(value.map(Box.init), forKey: key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeIfPresent(value.map(Box.init), forKey: key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeIfPresent(value.map(Box.init), forKey: key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeIfPresent(value.map(Box.init), forKey: key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeIfPresent(value.map(Box.init), forKey: key) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                        forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        preconditionFailure("DefaultsTree: configuration sections encode nested sections as values")
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        preconditionFailure("DefaultsTree: configuration sections encode lists as values")
    }

    mutating func superEncoder() -> Encoder { preconditionFailure("DefaultsTree: configuration sections have no superclass") }
    mutating func superEncoder(forKey key: Key) -> Encoder { superEncoder() }
}

/// A primitive, encoded through its own single-value `Encodable` conformance.
private struct Box<Value: Encodable>: Encodable {
    let value: Value
    init(_ value: Value) { self.value = value }
    func encode(to encoder: Encoder) throws { try value.encode(to: encoder) }
}
