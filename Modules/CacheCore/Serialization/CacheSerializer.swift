/// Turns values into bytes and back for stores whose entries outlive the process.
///
/// Every stored entry records the serializer's ``id`` and ``formatVersion``; a reader
/// whose serializer differs treats the entry as a miss instead of guessing.
public protocol CacheSerializer<Value>: Sendable {
    associatedtype Value

    /// A stable identifier, e.g. `"binary-codable"`. Never reuse an id for another format.
    var id: String { get }
    /// Bumped whenever the byte format changes incompatibly.
    var formatVersion: UInt16 { get }

    /// The bytes of `value`; throws ``CacheSerializationError``.
    func encode(_ value: Value) throws -> [UInt8]

    /// The value stored in `bytes`; throws ``CacheSerializationError`` for anything malformed.
    /// Must never crash or return a wrong value for bytes it did not write.
    func decode(_ bytes: UnsafeRawBufferPointer) throws -> Value
}

extension CacheSerializer {
    /// Decodes from an array.
    @inlinable
    public func decode(_ bytes: [UInt8]) throws -> Value {
        try bytes.withUnsafeBytes { try decode($0) }
    }
}
