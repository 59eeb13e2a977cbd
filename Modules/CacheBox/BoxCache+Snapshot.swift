import CacheCore
import CachePolicies

/// What ``BoxCache/restore(from:)`` did.
public struct BoxRestoreReport: Sendable, Hashable {
    /// Entries now in the cache.
    public var restored = 0
    /// Entries whose deadline passed while the process was down.
    public var expired = 0
    /// Entries left out because the cache is smaller than the one that wrote the snapshot
    /// (the least valuable to the policy go first).
    public var dropped = 0
    public init() {}
}

/// The snapshot file: `SWCBOXSN`, a little-endian `UInt32` format version, a `UInt64`
/// payload length, the payload's XXH3-128 (16 bytes, big-endian high then low), then the
/// payload in the binary Codable format.
package enum BoxSnapshotFormat {
    static let magic: [UInt8] = Array("SWCBOXSN".utf8)
    static let version: UInt32 = 1
    package static let headerSize = 8 + 4 + 8 + 16

    struct Entry<Key: Codable, Value: Codable>: Codable {
        var key: Key
        var value: Value
        var weight: Int
        /// Wall-clock deadline (seconds since 1970), nil for none.
        var expiresAt: Double?
        var extendsOnRead: Bool
        /// Seconds between the write and the snapshot, when the cache tracks writes.
        var age: Double?
        var frequency: Int
        /// 0 window, 1 probation, 2 protected.
        var region: UInt8
    }

    struct Payload<Key: Codable, Value: Codable>: Codable {
        var keyType: String
        var valueType: String
        var policy: String
        var writtenAt: Double
        /// Least valuable to the policy first.
        var entries: [Entry<Key, Value>]
    }

    package static func frame(_ payload: [UInt8]) -> [UInt8] {
        var out = magic
        withUnsafeBytes(of: version.littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(payload.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: XXH3.hash128(payload).bytes)
        out.append(contentsOf: payload)
        return out
    }

    /// The payload of a whole file, checked; throws naming `path`.
    static func unframe(_ bytes: [UInt8], path: String) throws(BoxSnapshotError) -> ArraySlice<UInt8> {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw BoxSnapshotError(.foreign, path: path, detail: "not a CacheBox snapshot (its first bytes are not SWCBOXSN)")
        }
        guard bytes.count >= headerSize else {
            throw BoxSnapshotError(.damaged, path: path, detail: "truncated header: \(bytes.count) of \(headerSize) bytes")
        }
        func integer<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            var v: T = 0
            for i in 0..<MemoryLayout<T>.size { v |= T(bytes[at + i]) << (8 * i) }
            return v
        }
        let fileVersion = integer(8, UInt32.self)
        guard fileVersion == version else {
            throw BoxSnapshotError(.unsupportedVersion, path: path, detail: "format version \(fileVersion); this build reads \(version)")
        }
        let length = integer(12, UInt64.self)
        guard length == UInt64(bytes.count - headerSize) else {
            throw BoxSnapshotError(.damaged, path: path, detail: "payload of \(bytes.count - headerSize) bytes, header says \(length)")
        }
        let payload = bytes[headerSize...]
        guard XXH3.hash128(Array(payload)).bytes == Array(bytes[20..<36]) else {
            throw BoxSnapshotError(.damaged, path: path, detail: "checksum mismatch")
        }
        return payload
    }
}

extension BoxRegion {
    var snapshotCode: UInt8 {
        switch self {
        case .window: 0
        case .probation: 1
        case .protected: 2
        }
    }

    init?(snapshotCode: UInt8) {
        switch snapshotCode {
        case 0: self = .window
        case 1: self = .probation
        case 2: self = .protected
        default: return nil
        }
    }
}

extension BoxCache where Key: Codable, Value: Codable {
    /// Writes every live entry, its expiry (as a wall-clock deadline, since the cache's
    /// clock is monotonic), its weight and what the policy knows of it (frequency, region)
    /// to `path`, atomically: a temporary file, `fsync`, then a rename over `path`.
    ///
    /// The frequency sketch is saved as each entry's estimated frequency rather than its
    /// raw counters: the counters are indexed by `hashValue`, which Swift seeds anew in
    /// every process, so they would mean nothing to the process that restores them.
    /// Shards are snapshotted one at a time; writes racing the snapshot may or may not be in it.
    /// - Returns: the number of entries written.
    /// - Throws: ``BoxSnapshotError`` (`.encoding` or `.io`); the old file, if any, remains.
    /// - Complexity: O(n log n).
    @discardableResult
    public func snapshot(to path: String) throws(BoxSnapshotError) -> Int {
        let wallNow = WallCacheClock().now()
        var ranked: [(Int, BoxSnapshotFormat.Entry<Key, Value>)] = []
        for shard in shards {
            let (now, held) = shard.core.withLock { core in
                let now = clock.now()
                return (now, core.entriesByValue(now: now))
            }
            for e in held {
                ranked.append((e.frequency, BoxSnapshotFormat.Entry(
                    key: e.key, value: e.value, weight: e.weight,
                    expiresAt: e.deadline < .infinity ? wallNow + (e.deadline - now) : nil,
                    extendsOnRead: e.refreshOnAccess, age: e.writtenAt.map { Swift.max(0, now - $0) },
                    frequency: e.frequency, region: e.region.snapshotCode)))
            }
        }
        // Shards are each in order; merge them by frequency, keeping each shard's order.
        let entries = ranked.enumerated().sorted { a, b in
            a.element.0 != b.element.0 ? a.element.0 < b.element.0 : a.offset < b.offset
        }.map(\.element.1)
        let payload = BoxSnapshotFormat.Payload(
            keyType: String(reflecting: Key.self), valueType: String(reflecting: Value.self),
            policy: policy.rawValue, writtenAt: wallNow, entries: entries)
        let bytes: [UInt8]
        do { bytes = try BinaryCodableEncoder().encode(payload) } catch {
            throw BoxSnapshotError(.encoding, path: path, detail: "\(error)")
        }
        do { try CacheFiles.replaceFile(path, with: BoxSnapshotFormat.frame(bytes), sync: true) } catch {
            throw BoxSnapshotError(.io, path: path, detail: error.detail)
        }
        return entries.count
    }

    /// Replaces the cache's contents with the snapshot at `path`. Entries whose wall-clock
    /// deadline has passed are skipped; the rest expire when they would have. Each shard
    /// keeps the entries the policy values most that fit its share of the capacity, in the
    /// regions they held, with their frequencies restored, so the hit ratio is back at once.
    /// The removal listener hears `.cleared` for the entries replaced, not the restored ones.
    /// - Throws: ``BoxSnapshotError``: `.missing`, `.foreign`, `.unsupportedVersion`,
    ///   `.typeMismatch`, `.damaged` or `.io`, each naming `path`. The whole file is checked
    ///   before anything changes: when it throws, the cache is as it was.
    /// - Complexity: O(n log n).
    @discardableResult
    public func restore(from path: String) throws(BoxSnapshotError) -> BoxRestoreReport {
        let read: [UInt8]?
        do { read = try CacheFiles.readFile(path) } catch {
            throw BoxSnapshotError(error.kind == .notARegularFile ? .foreign : .io, path: path, detail: error.detail)
        }
        guard let bytes = read else { throw BoxSnapshotError(.missing, path: path, detail: "no such file") }
        return try restore(fromBytes: bytes, path: path)
    }

    /// ``restore(from:)`` for a snapshot's bytes already read (`path` names them in errors).
    package func restore(fromBytes bytes: [UInt8], path: String) throws(BoxSnapshotError) -> BoxRestoreReport {
        let payloadBytes = try BoxSnapshotFormat.unframe(bytes, path: path)
        let payload: BoxSnapshotFormat.Payload<Key, Value>
        do {
            payload = try Array(payloadBytes).withUnsafeBytes {
                try BinaryCodableDecoder().decode(BoxSnapshotFormat.Payload<Key, Value>.self, from: $0)
            }
        } catch {
            // The checksum held, so the bytes are what was written: other types wrote them.
            throw BoxSnapshotError(.typeMismatch, path: path, detail: "entries do not decode as \(Key.self) → \(Value.self): \(error)")
        }
        guard payload.keyType == String(reflecting: Key.self), payload.valueType == String(reflecting: Value.self) else {
            throw BoxSnapshotError(
                .typeMismatch, path: path,
                detail: "written for \(payload.keyType) → \(payload.valueType), not \(String(reflecting: Key.self)) → \(String(reflecting: Value.self))")
        }
        var report = BoxRestoreReport()
        let wallNow = WallCacheClock().now()
        // Per shard, the most valuable entries that fit (walking from the valuable end).
        var chosen = [[(Int, BoxCoreEntry<Key, Value>)]](repeating: [], count: shards.count)
        var room = shards.map(\.maximum)
        for e in payload.entries.reversed() {
            if let at = e.expiresAt, at <= wallNow { report.expired += 1; continue }
            guard let region = BoxRegion(snapshotCode: e.region), e.weight >= 0 else {
                throw BoxSnapshotError(.damaged, path: path, detail: "entry with region \(e.region), weight \(e.weight)")
            }
            let h = e.key.hashValue
            let index = shardIndex(h)
            guard e.weight <= room[index] else { report.dropped += 1; continue }
            room[index] -= e.weight
            chosen[index].append((h, BoxCoreEntry(
                key: e.key, value: e.value, weight: e.weight,
                deadline: e.expiresAt.map { $0 - wallNow } ?? .infinity,  // seconds left, made absolute below
                refreshOnAccess: e.extendsOnRead, writtenAt: e.age, frequency: e.frequency, region: region)))
        }
        for (index, shard) in shards.enumerated() {
            locked(shard) { core, removed in
                core.removeAll(&removed)
                let now = clock.now()
                for (h, var entry) in chosen[index].reversed() {
                    if entry.deadline < .infinity { entry.deadline += now }
                    entry.writtenAt = now - (entry.writtenAt ?? 0)  // age, or just written
                    core.restore(entry, hashValue: h, &removed)
                    report.restored += 1
                }
            }
        }
        return report
    }
}
