import CacheCore

/// The record the binary Codable checks decode into.
struct FuzzRecord: Codable {
    var name: String
    var values: [Int64]
    var ratio: Double?
    var tags: [String: UInt8]
    var kind: FuzzKind
    var children: [FuzzRecord]?
}

extension FuzzRecord: Equatable {
    /// Field by field, NaN equal to itself (a decoded NaN must survive the round trip).
    static func == (a: FuzzRecord, b: FuzzRecord) -> Bool {
        a.name == b.name && a.values == b.values && a.ratio?.bitPattern == b.ratio?.bitPattern
            && a.tags == b.tags && a.kind == b.kind && a.children == b.children
    }
}

enum FuzzKind: Codable, Equatable {
    case plain
    case sized(Int32, label: String)
    case bytes([UInt8])
    case flag(Bool?)
}

extension FuzzChecks {
    /// A decoded record encodes, and decodes back to an equal record (dictionaries encode in
    /// their iteration order, so bytes are compared through the record, not directly).
    static func binaryCodable(_ bytes: UnsafeRawBufferPointer) {
        let decoder = BinaryCodableDecoder(maxDepth: 64)
        guard let record = try? decoder.decode(FuzzRecord.self, from: bytes) else { return }
        let encoder = BinaryCodableEncoder()
        guard let encoded = try? encoder.encode(record) else {
            preconditionFailure("a decoded record does not encode")
        }
        let again = encoded.withUnsafeBytes { try? decoder.decode(FuzzRecord.self, from: $0) }
        precondition(again == record, "a record changed through encode → decode")
    }

    /// An unwrapped record wraps and unwraps to an equal record.
    static func envelope(_ bytes: UnsafeRawBufferPointer) {
        let serializer = BinaryCodableSerializer<FuzzRecord>()
        guard let record = try? CacheValueEnvelope.unwrap(Array(bytes), with: serializer) else { return }
        guard let wrapped = try? CacheValueEnvelope.wrap(record, with: serializer) else {
            preconditionFailure("an unwrapped record does not wrap")
        }
        let again = try? CacheValueEnvelope.unwrap(wrapped, with: serializer)
        precondition(again == record, "a record changed through wrap → unwrap")
    }
}
