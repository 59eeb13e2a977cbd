import CacheCore

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
///
/// A value *read* from the database enters only on its key's second read (``doorkeeper``):
/// copying it in costs about a fifth of a database read, so a key read once — a new
/// instance scanning a cache — should not pay it. Own writes enter at once.
struct DiskCacheFront {
    let entryLimit: Int
    let byteLimit: Int
    let valueLimit: Int
    var entries: [FrontKey: FrontEntry] = [:]
    var bytes = 0
    /// The generation the entries describe (an empty front is valid at any settled generation).
    var stamp: UInt64 = 0
    /// Keys read from the database once (TinyLFU's doorkeeper).
    var doorkeeper = FrontDoorkeeper()

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

    /// Whether a value just read from the database for `key` should enter the front: true
    /// on the key's second read (or a rare false positive), after recording this one.
    /// - Complexity: O(key length): one XXH3-64 and two bit tests.
    mutating func admitsRead(of key: UnsafeRawBufferPointer) -> Bool {
        doorkeeper.recordAndCheck(XXH3.hash64(key))
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

/// A 64 Ki-bit set of keys seen once (two bits per key from its hash), cleared after it
/// has recorded 16 Ki keys so that it keeps meaning "read recently". A false positive (a
/// first read let in) has probability (1 − e^(−2n/65536))²: 6 % on average over a fill
/// cycle, 15 % just before it is cleared.
struct FrontDoorkeeper {
    private var words = [UInt64](repeating: 0, count: 1 << 10)
    private var recorded = 0

    /// Records `hash`; whether it was (probably) recorded before.
    mutating func recordAndCheck(_ hash: UInt64) -> Bool {
        let a = Int(truncatingIfNeeded: hash & 0xFFFF), b = Int(truncatingIfNeeded: (hash >> 16) & 0xFFFF)
        let bitA: UInt64 = 1 << UInt64(a & 63), bitB: UInt64 = 1 << UInt64(b & 63)
        if words[a >> 6] & bitA != 0 && words[b >> 6] & bitB != 0 { return true }
        words[a >> 6] |= bitA
        words[b >> 6] |= bitB
        recorded += 1
        if recorded >= 1 << 14 {
            for i in words.indices { words[i] = 0 }
            recorded = 0
        }
        return false
    }
}
