/// A stored key's bytes as a dictionary key, hashed as one block of bytes.
struct FrontKey: Hashable {
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
}

/// A verified inline value as the database held it at the front's stamp.
struct FrontEntry {
    var value: [UInt8]
    var expire: Double?
    var serializerID: String
    var formatVersion: UInt16

    /// Whether a read through `signature` accepts this entry (as ``CodecSignature/accepts(serializer:column:formatVersion:)``).
    func accepted(by signature: CodecSignature) -> Bool {
        if signature.acceptsAnySerializer { return true }
        if serializerID == signature.id { return formatVersion == signature.formatVersion }
        return signature.readsIntegers && serializerID == IntegerCodec.id && formatVersion == IntegerCodec.formatVersion
    }
}

/// A change a write transaction makes to one key, applied to the front after the commit.
enum FrontChange {
    case set(FrontKey, FrontEntry)
    case remove(FrontKey)
}

/// The in-process hot-read front of a ``DiskCache``: small inline values by key, exactly as
/// the database held them at generation ``stamp`` of `cache.db-gen` (see ``GenerationFile``).
/// It is used only while `begun == ended == stamp`, i.e. no process has begun a write since.
///
/// Bounded by entries and by bytes (key + value); values above ``valueLimit`` are not kept.
/// When an insert would exceed a bound the front is emptied (simple, O(1) amortized, and a
/// front refills from reads and own writes).
struct DiskCacheFront {
    let entryLimit: Int
    let byteLimit: Int
    let valueLimit: Int
    var entries: [FrontKey: FrontEntry] = [:]
    var bytes = 0
    /// The generation the entries describe (an empty front is valid at any settled generation).
    var stamp: UInt64 = 0

    /// Values up to this size are kept (16 KiB, or less with a smaller byte limit).
    static let maximumValueSize = 16 * 1024

    init(entryLimit: Int, byteLimit: Int) {
        self.entryLimit = max(0, entryLimit)
        self.byteLimit = max(0, byteLimit)
        valueLimit = min(DiskCacheFront.maximumValueSize, self.byteLimit)
    }

    var isEnabled: Bool { entryLimit > 0 && byteLimit > 0 }

    mutating func clear() {
        if !entries.isEmpty { entries.removeAll(keepingCapacity: true) }
        bytes = 0
    }

    mutating func insert(_ key: FrontKey, _ entry: FrontEntry) {
        let size = key.bytes.count + entry.value.count
        guard entry.value.count <= valueLimit, size <= byteLimit else { remove(key); return }
        if let old = entries.updateValue(entry, forKey: key) {
            bytes += entry.value.count - old.value.count
        } else {
            bytes += size
        }
        if entries.count > entryLimit || bytes > byteLimit {
            clear()
            entries[key] = entry
            bytes = size
        }
    }

    mutating func remove(_ key: FrontKey) {
        if let old = entries.removeValue(forKey: key) { bytes -= key.bytes.count + old.value.count }
    }

    mutating func apply(_ change: FrontChange) {
        switch change {
        case .set(let key, let entry): insert(key, entry)
        case .remove(let key): remove(key)
        }
    }
}
