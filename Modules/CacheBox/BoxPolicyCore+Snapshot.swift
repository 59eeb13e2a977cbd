import CacheCore
import CachePolicies

/// One live entry as a snapshot records it: what it holds and what the policy knows of it.
package struct BoxCoreEntry<Key, Value> {
    package var key: Key
    package var value: Value
    package var weight: Int
    /// The expiry deadline on the core's clock (`.infinity` for none).
    package var deadline: Double
    /// Whether reads extend the deadline (expire-after-access).
    package var refreshOnAccess: Bool
    /// The write stamp on the core's clock, when the core tracks writes.
    package var writtenAt: Double?
    /// How often the policy thinks the key is used: the sketch's estimate (adaptive), the
    /// use count (LFU), 0 for the others.
    package var frequency: Int
    /// The entry's region (adaptive: window, probation or protected; others: window).
    package var region: BoxRegion
}

extension BoxPolicyCore {
    /// Every live entry at `now`, least valuable to the policy first: by frequency (adaptive
    /// and LFU), then by region (probation, window, protected) and recency within it, so
    /// the last entries are the ones the policy would keep longest.
    /// - Complexity: O(n log n).
    package func entriesByValue(now: Double) -> [BoxCoreEntry<Key, Value>] {
        let aux = table.aux.unsafelyUnwrapped
        var ranked: [(rank: Int, entry: BoxCoreEntry<Key, Value>)] = []
        ranked.reserveCapacity(table.count)
        var position = 0
        for (list, region) in [(probation, BoxRegion.probation), (window, .window), (protected, .protected)] {
            for s in list.slots(table.next) {
                let i = Int(s)
                position += 1
                let deadline = tracksExpiry ? table.expiry.unsafelyUnwrapped[i] : .infinity
                if now >= deadline { continue }
                let frequency: Int
                switch policy {
                case .adaptive: frequency = sketch.frequency(table.hashes[i])
                case .lfu: frequency = Int(aux[i] / Self.countUnit)
                case .lru, .fifo, .random: frequency = 0
                }
                ranked.append((position, BoxCoreEntry(
                    key: table.keys[i], value: table.values[i], weight: table.weight(i), deadline: deadline,
                    refreshOnAccess: aux[i] & Self.refreshFlag != 0,
                    writtenAt: tracksWrites ? table.stamps.unsafelyUnwrapped[i] : nil,
                    frequency: frequency, region: region)))
            }
        }
        ranked.sort { a, b in
            a.entry.frequency != b.entry.frequency ? a.entry.frequency < b.entry.frequency : a.rank < b.rank
        }
        return ranked.map(\.entry)
    }

    /// Stores a restored entry as the most recent of its region, with the policy's
    /// knowledge of it: the sketch raised to `frequency` (adaptive) or the use count set
    /// (LFU). Restore entries least valuable first so each region keeps its order.
    package mutating func restore(_ entry: BoxCoreEntry<Key, Value>, hashValue: Int, _ removed: inout Removals<Key, Value>) {
        sketchStarted = true  // the restored counts are not a warm-up's
        set(entry.key, hashValue: hashValue, entry.value, weight: entry.weight, deadline: entry.deadline,
            refreshOnAccess: entry.refreshOnAccess, writtenAt: entry.writtenAt ?? 0, &removed)
        let s = table.find(entry.key, hashValue: hashValue)
        if s < 0 { return }
        let aux = table.aux.unsafelyUnwrapped
        switch policy {
        case .adaptive:
            let hash = table.hashes[Int(s)]
            var known = sketch.frequency(hash)
            while known < Swift.min(entry.frequency, 15) {
                sketch.increment(hash)
                let now = sketch.frequency(hash)
                if now == known { break }
                known = now
            }
            guard entry.region != .window, aux[Int(s)] & Self.regionMask == Self.windowRegion else { return }
            let w = table.weight(Int(s))
            window.remove(s, table.prev, table.next)
            windowWeight &-= w
            if entry.region == .protected {
                protected.append(s, table.prev, table.next)
                aux[Int(s)] = (aux[Int(s)] & ~Self.regionMask) | Self.protectedRegion
                protectedWeight &+= w
                demoteProtected()
            } else {
                probation.append(s, table.prev, table.next)
                aux[Int(s)] = (aux[Int(s)] & ~Self.regionMask) | Self.probationRegion
            }
        case .lfu:
            let count = Int32(clamping: Swift.max(1, entry.frequency))
            if count < (Int32.max - Self.countUnit) / Self.countUnit {
                aux[Int(s)] = (aux[Int(s)] & (Self.regionMask | Self.refreshFlag)) | count &* Self.countUnit
            }
        case .lru, .fifo, .random:
            break
        }
    }
}
