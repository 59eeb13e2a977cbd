import CacheBox
import CacheCore
import CacheJoblib
import CacheKlepto
import Foundation

/// Valid inputs for each target, made by the writers themselves: the committed seed
/// corpora are these (`CacheFuzz --write-seeds DIR`), so the fuzzer starts from files the
/// readers accept and mutates into their corners.
package enum FuzzSeeds {
    package static func make(_ target: FuzzTarget) -> [(name: String, bytes: [UInt8])] {
        switch target {
        case .binaryCodable:
            return records.enumerated().map { ("record-\($0.offset)", (try? BinaryCodableEncoder().encode($0.element)) ?? []) }
        case .envelope:
            let serializer = BinaryCodableSerializer<FuzzRecord>()
            return records.enumerated().map { ("wrapped-\($0.offset)", (try? CacheValueEnvelope.wrap($0.element, with: serializer)) ?? []) }
        case .boxSnapshot:
            return [("empty", snapshot(count: 0)), ("three", snapshot(count: 3)), ("forty", snapshot(count: 40))]
        case .kleptoEntry:
            return archiveRecords.prefix(3).enumerated().map { i, entry in
                ("entry-\(i)", DirectoryEntryFile.encode(entry.value, key: entry.key))
            }
        case .kleptoFile:
            return [("empty", SingleFileFormat.encode([:])), ("four", SingleFileFormat.encode(archiveRecords))]
        case .npyHeader:
            return [("f8-2x3", NumPyHeader.encode(elementType: .float64, shape: [2, 3]))]
        case .npyArray:
            return [("f8-4", NumPyFile.encode([1.0, 2.5, -3.0, 4.0] as [Double])),
                    ("i4-0", NumPyFile.encode([] as [Int32])),
                    ("u8-3", NumPyFile.encode([1, 2, 255] as [UInt8]))]
        case .resp:
            return [("set", Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".utf8))]
        case .cacheKey:
            let keys: [CacheKey?] = [
                try? CacheKey(name: "f", version: "2", arguments: 1, "text", 2.5, [1.0, -0.0, .nan], ["a": 1], Optional<Int>.none),
                try? CacheKey(name: "g", arguments: FuzzSeeds.records[1]),
                try? CacheKey(name: "digested", arguments: String(repeating: "x", count: 600)),
            ]
            return keys.enumerated().compactMap { i, key in key.map { ("key-\(i)", $0.storageBytes) } }
        }
    }

    static var records: [FuzzRecord] {
        let leaf = FuzzRecord(name: "leaf", values: [], ratio: nil, tags: [:], kind: .plain, children: nil)
        return [
            leaf,
            FuzzRecord(name: "ünïcode ✓", values: [1, -2, .max, .min], ratio: 0.5, tags: ["a": 1, "b": 255],
                       kind: .sized(-7, label: "x"), children: [leaf]),
            FuzzRecord(name: "", values: [0], ratio: -.infinity, tags: [:], kind: .bytes([0, 1, 2]),
                       children: [FuzzRecord(name: "n", values: [], ratio: 1, tags: [:], kind: .flag(nil), children: [leaf])]),
        ]
    }

    static var archiveRecords: [CacheKey: KleptoRecord] {
        var out: [CacheKey: KleptoRecord] = [:]
        for i in 0..<4 {
            if let key = try? CacheKey(name: "f", version: "1", arguments: i, "s\(i)") {
                out[key] = KleptoRecord(format: i % 2 == 0 ? "binary-codable/1" : "json/1", payload: Array("value \(i)".utf8))
            }
        }
        return out
    }

    /// A snapshot of a `BoxCache<String, [Int]>` holding `count` entries (some expiring).
    static func snapshot(count: Int) -> [UInt8] {
        guard let cache = try? BoxCache<String, [Int]>(maximumWeight: 64, expiry: .afterWrite(.seconds(3_600))) else { return [] }
        for i in 0..<count { try? cache.setValue([i, i * i], forKey: "k\(i)", ttl: i % 3 == 0 ? .seconds(86_400 * 365) : nil) }
        for _ in 0..<3 { for i in 0..<count / 2 { _ = cache.value(forKey: "k\(i)") } }
        let path = NSTemporaryDirectory() + "/swift-cache-seed-\(getpid())-\(count).snapshot"
        defer { unlink(path) }
        guard (try? cache.snapshot(to: path)) != nil else { return [] }
        return FuzzCorpus.read(path) ?? []
    }
}
