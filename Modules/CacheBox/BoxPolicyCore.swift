import CacheCore
import CachePolicies

/// The single-threaded heart of ``BoxCache``: a slot table, the eviction policy, the
/// frequency sketch, the hill climber and the timer wheel. ``BoxCache`` runs one per shard
/// under a `Mutex`; `cachectl replay --policy box` runs the same type directly.
///
/// Every entry is in exactly one of three intrusive lists (through the table's
/// `prev`/`next`): `window`, `probation`, `protected`. Only ``BoxPolicy/adaptive`` uses the
/// latter two; the other policies keep all entries in `window` (oldest first). A slot's
/// `aux` word holds its region (bits 0–1; 0 = free), its refresh-on-access flag (bit 2) and,
/// for LFU, its use count (bits 3 and up).
///
/// Not thread-safe. All operations are O(1) (amortized), plus O(k) for k removals.
@usableFromInline package struct BoxPolicyCore<Key: Hashable, Value>: ~Copyable {
    @usableFromInline static var windowRegion: Int32 { 1 }
    @usableFromInline static var probationRegion: Int32 { 2 }
    @usableFromInline static var protectedRegion: Int32 { 3 }
    @usableFromInline static var regionMask: Int32 { 3 }
    @usableFromInline static var refreshFlag: Int32 { 4 }
    @usableFromInline static var countUnit: Int32 { 8 }

    @usableFromInline package var table: SlotTable<Key, Value>
    @usableFromInline package let policy: BoxPolicy
    /// The bound on the total weight.
    @usableFromInline package let maximum: Int
    @usableFromInline package var counters = PolicyCounters()
    @usableFromInline package var window = LinkedOrder()
    @usableFromInline package var probation = LinkedOrder()
    @usableFromInline package var protected = LinkedOrder()
    @usableFromInline package var windowWeight = 0
    @usableFromInline package var protectedWeight = 0
    @usableFromInline package var windowMax: Int
    @usableFromInline package var protectedMax: Int
    @usableFromInline package var sketch: BoxFrequencySketch
    @usableFromInline package var climber: BoxHillClimber
    @usableFromInline var rng: UInt64
    @usableFromInline package var wheel: BoxTimerWheel
    /// Whether entries carry deadlines (the table has expiry and second links).
    /// Whether entries may have deadlines: set at the first finite deadline (or from the
    /// start when the cache expires entries), so a cache that never expires anything carries
    /// no per-entry expiry time and no wheel links (16 bytes an entry).
    @usableFromInline package private(set) var tracksExpiry: Bool
    /// Whether each entry keeps its write stamp (for refresh-after-write).
    @usableFromInline package let tracksWrites: Bool
    /// The last write stamp given out: stamps strictly increase, so a stamp also tells
    /// one write of a key from any later one made at the same clock reading.
    @usableFromInline var lastStamp = -Double.infinity
    /// Whether the sketch's counts are kept: false until the cache first fills
    /// `tuning.sketchStart` of its capacity, when the warm-up's counts are forgotten.
    @usableFromInline package var sketchStarted = false
    /// Seconds an access extends a refresh-on-access entry's life.
    @usableFromInline package let accessTTL: Double?
    @usableFromInline package let tuning: BoxTuning
    /// Reused buffer for the slots the wheel finds due.
    @usableFromInline var due: [Int32] = []

    /// - Parameters:
    ///   - maximum: the bound on the total weight (≥ 0).
    ///   - expectedEntries: how many entries to size the table and sketch for.
    ///   - tracksExpiry: whether entries may have deadlines.
    ///   - tracksWrites: whether entries keep their write stamp (``stamp(_:hashValue:)``).
    ///   - accessTTL: seconds a read extends an entry stored with `refreshOnAccess`.
    ///   - now: the clock's time, in seconds, the wheel starts at.
    package init(
        policy: BoxPolicy, maximum: Int, expectedEntries: Int, tracksExpiry: Bool = false, tracksWrites: Bool = false,
        accessTTL: Double? = nil, now: Double = 0, seed: UInt64 = 0x5EED_CAC4_EB0C, tuning: BoxTuning = BoxTuning()
    ) {
        self.tuning = tuning
        self.policy = policy
        self.maximum = Swift.max(0, maximum)
        let expected = Swift.max(4, expectedEntries)
        var features: SlotFeatures = [.aux]
        if tracksExpiry { features.formUnion([.expiry, .secondLinks]) }
        if tracksWrites { features.insert(.stamps) }
        table = SlotTable(expected: expected, features: features)
        let windowMax = policy == .adaptive ? Swift.max(1, Int(Double(self.maximum) * tuning.initialWindow)) : self.maximum
        self.windowMax = windowMax
        protectedMax = Int(Double(self.maximum - Swift.min(windowMax, self.maximum)) * tuning.protectedShare)
        sketch = BoxFrequencySketch(
            capacity: policy == .adaptive ? Swift.max(expected * 2, tuning.sketchMinimum) : 16,
            agingPeriod: tuning.agingPeriod, conservative: tuning.conservative)
        climber = BoxHillClimber(
            maximum: self.maximum,
            sampleSize: Swift.max(tuning.climberMinimumSample, Int(tuning.climberSample * Double(Swift.max(1, Swift.min(self.maximum, expected))))),
            stepFraction: tuning.climberStep, noiseTolerance: tuning.climberNoise)
        rng = seed
        wheel = BoxTimerWheel(now: BoxTimerWheel.nanos(now))
        self.tracksExpiry = tracksExpiry
        self.tracksWrites = tracksWrites
        self.accessTTL = accessTTL
    }

    // MARK: Lookups

    /// The value for `key` (whose `hashValue` the caller passes, so the key is hashed once
    /// per operation), counting a hit or a miss and updating the policy. An expired entry
    /// is removed (cause `.expired`) and is a miss.
    @inlinable
    package mutating func get(_ key: Key, hashValue: Int, now: Double, _ removed: inout Removals<Key, Value>) -> Value? {
        let s = table.find(key, hashValue: hashValue)
        if s < 0 {
            counters.misses &+= 1
            recordLookup(hit: false)
            return nil
        }
        if tracksExpiry {
            let expiry = table.expiry.unsafelyUnwrapped
            if now >= expiry[Int(s)] {
                removeSlot(s, .expired, &removed)
                counters.misses &+= 1
                recordLookup(hit: false)
                return nil
            }
            if let accessTTL, table.aux.unsafelyUnwrapped[Int(s)] & Self.refreshFlag != 0 {
                reschedule(s, deadline: now + accessTTL)
            }
        }
        counters.hits &+= 1
        touch(s)
        recordLookup(hit: true)
        return table.values[Int(s)]
    }

    /// The live value for `key`, changing nothing.
    @inlinable
    package func peek(_ key: Key, hashValue: Int, now: Double) -> Value? {
        let s = table.find(key, hashValue: hashValue)
        if s < 0 { return nil }
        if tracksExpiry && now >= table.expiry.unsafelyUnwrapped[Int(s)] { return nil }
        return table.values[Int(s)]
    }

    /// The write stamp of the live entry for `key` (nil when absent, expired, or when the
    /// core does not track writes): the clock's time of the write, made strictly greater
    /// than every earlier stamp, so equal stamps mean the same write.
    @inlinable
    package func stamp(_ key: Key, hashValue: Int, now: Double) -> Double? {
        guard tracksWrites else { return nil }
        let s = table.find(key, hashValue: hashValue)
        if s < 0 { return nil }
        if tracksExpiry && now >= table.expiry.unsafelyUnwrapped[Int(s)] { return nil }
        return table.stamps.unsafelyUnwrapped[Int(s)]
    }

    /// Whether a live entry exists for `key`, changing nothing.
    @inlinable
    package func contains(_ key: Key, hashValue: Int, now: Double) -> Bool {
        let s = table.find(key, hashValue: hashValue)
        return s >= 0 && (!tracksExpiry || now < table.expiry.unsafelyUnwrapped[Int(s)])
    }

    // MARK: Writes

    /// Stores `value` (weight already checked to be in `0 ... maximum`), then evicts as the
    /// policy decides. `deadline` is the expiry time in seconds (`.infinity` for none);
    /// `refreshOnAccess` makes reads extend it by `accessTTL`; `writtenAt` (the clock's
    /// time) stamps the write when the core tracks writes.
    @inlinable
    package mutating func set(
        _ key: Key, hashValue: Int, _ value: Value, weight: Int, deadline: Double = .infinity, refreshOnAccess: Bool = false,
        writtenAt: Double = 0, _ removed: inout Removals<Key, Value>
    ) {
        if deadline < .infinity && !tracksExpiry { startTrackingExpiry() }
        let (s, isNew) = table.findOrReserve(key, hashValue: hashValue)
        let flag = refreshOnAccess ? Self.refreshFlag : 0
        if tracksWrites {
            let stamp = Swift.max(writtenAt, lastStamp.nextUp)
            lastStamp = stamp
            table.stamps.unsafelyUnwrapped[Int(s)] = stamp
        }
        if isNew {
            table.fill(s, key: key, value: value, weight: weight)
            let aux = table.aux.unsafelyUnwrapped
            aux[Int(s)] = Self.windowRegion | flag | (policy == .lfu ? Self.countUnit : 0)
            window.append(s, table.prev, table.next)
            windowWeight &+= weight
            if policy == .adaptive {
                // A full cache holds one entry over its bound until the eviction that follows.
                if table.count > sketch.designCapacity &+ 1 { sketch.ensureCapacity(table.count * 2) }
                if !sketchStarted { startSketchIfWarm() }
                sketch.increment(table.hashes[Int(s)])
            }
            if tracksExpiry {
                table.expiry.unsafelyUnwrapped[Int(s)] = deadline
                if deadline < .infinity { wheel.schedule(s, deadline: BoxTimerWheel.nanos(deadline), table.prev2!, table.next2!) }
            }
            evict(sparing: s, &removed)
            return
        }
        let oldWeight = table.weight(Int(s))
        let old = table.replace(s, value: value, weight: weight)
        let aux = table.aux.unsafelyUnwrapped
        aux[Int(s)] = (aux[Int(s)] & ~Self.refreshFlag) | flag
        switch aux[Int(s)] & Self.regionMask {
        case Self.windowRegion: windowWeight &+= weight &- oldWeight
        case Self.protectedRegion: protectedWeight &+= weight &- oldWeight
        default: break
        }
        removed.append(key, old, .replaced)
        if tracksExpiry { reschedule(s, deadline: deadline) }
        if policy != .fifo && policy != .random { touch(s) }
        evict(sparing: noSlot, &removed)
    }

    /// Removes `key` (cause `.explicit`) and returns its live value; an expired entry is
    /// removed with cause `.expired` and nil returned.
    @inlinable
    package mutating func remove(_ key: Key, hashValue: Int, now: Double, _ removed: inout Removals<Key, Value>) -> Value? {
        let s = table.find(key, hashValue: hashValue)
        if s < 0 { return nil }
        if tracksExpiry && now >= table.expiry.unsafelyUnwrapped[Int(s)] {
            removeSlot(s, .expired, &removed)
            return nil
        }
        return removeSlot(s, .explicit, &removed)
    }

    /// Removes every entry (cause `.cleared`). The sketch keeps its counts.
    package mutating func removeAll(_ removed: inout Removals<Key, Value>) {
        let slots = window.slots(table.next) + probation.slots(table.next) + protected.slots(table.next)
        for (k, v) in table.drain(slots) { removed.append(k, v, .cleared) }
        let aux = table.aux.unsafelyUnwrapped
        for s in slots { aux[Int(s)] = 0 }
        window = LinkedOrder()
        probation = LinkedOrder()
        protected = LinkedOrder()
        windowWeight = 0
        protectedWeight = 0
        wheel.clear()
    }

    /// Advances the timer wheel to `now`, removing (cause `.expired`) every entry it finds
    /// due. Cheap when the wheel's current tick has not passed.
    /// - Complexity: O(1) unless a tick passed; then O(buckets visited + entries in them).
    @inlinable
    package mutating func expire(now: Double, _ removed: inout Removals<Key, Value>) {
        if !tracksExpiry { return }
        let n = BoxTimerWheel.nanos(now)
        if !wheel.isDue(n) { return }
        advanceWheel(n, &removed)
    }

    @usableFromInline
    mutating func advanceWheel(_ n: Int64, _ removed: inout Removals<Key, Value>) {
        let expiry = table.expiry.unsafelyUnwrapped
        due.removeAll(keepingCapacity: true)
        wheel.advance(to: n, table.prev2!, table.next2!, deadline: { BoxTimerWheel.nanos(expiry[Int($0)]) }, due: &due)
        for s in due { removeSlot(s, .expired, filed: false, &removed) }
    }

    // MARK: Policy internals

    /// Gives every slot an expiry time (none yet) and wheel links: the first deadline.
    @usableFromInline
    mutating func startTrackingExpiry() {
        table.addFeatures([.expiry, .secondLinks])
        tracksExpiry = true
    }

    /// Moves a filed entry to the wheel bucket of a new deadline (or unfiles it).
    @inlinable
    mutating func reschedule(_ s: Int32, deadline: Double) {
        let expiry = table.expiry.unsafelyUnwrapped
        if expiry[Int(s)] < .infinity { wheel.cancel(s, table.prev2!, table.next2!) }
        expiry[Int(s)] = deadline
        if deadline < .infinity { wheel.schedule(s, deadline: BoxTimerWheel.nanos(deadline), table.prev2!, table.next2!) }
    }

    /// Forgets the warm-up's counts once the cache holds `tuning.sketchStart` of its capacity.
    @usableFromInline
    mutating func startSketchIfWarm() {
        if Double(table.totalWeight) >= Double(maximum) * tuning.sketchStart {
            sketch.clear()
            sketchStarted = true
        }
    }

    /// Feeds the climber (adaptive only) and applies its adjustment.
    @inlinable
    mutating func recordLookup(hit: Bool) {
        if policy != .adaptive { return }
        if let adjustment = climber.record(hit: hit), !adjustWindow(by: adjustment) { climber.bounce() }
    }

    /// A use of a live entry.
    @inlinable
    mutating func touch(_ s: Int32) {
        let aux = table.aux.unsafelyUnwrapped
        switch policy {
        case .adaptive:
            sketch.increment(table.hashes[Int(s)])
            switch aux[Int(s)] & Self.regionMask {
            case Self.windowRegion:
                window.moveToTail(s, table.prev, table.next)
            case Self.probationRegion:
                probation.remove(s, table.prev, table.next)
                protected.append(s, table.prev, table.next)
                aux[Int(s)] = (aux[Int(s)] & ~Self.regionMask) | Self.protectedRegion
                protectedWeight &+= table.weight(Int(s))
                demoteProtected()
            default:
                protected.moveToTail(s, table.prev, table.next)
            }
        case .lru:
            window.moveToTail(s, table.prev, table.next)
        case .lfu:
            if aux[Int(s)] < Int32.max - Self.countUnit { aux[Int(s)] &+= Self.countUnit }
        case .fifo, .random:
            break
        }
    }

    /// Moves the oldest protected entries to probation until protected fits its bound.
    @inlinable
    mutating func demoteProtected() {
        let aux = table.aux.unsafelyUnwrapped
        while protectedWeight > protectedMax {
            let d = protected.head
            if d < 0 { return }
            protected.remove(d, table.prev, table.next)
            probation.append(d, table.prev, table.next)
            aux[Int(d)] = (aux[Int(d)] & ~Self.regionMask) | Self.probationRegion
            protectedWeight &-= table.weight(Int(d))
        }
    }

    /// Takes a live slot out of its list, adjusting the region weights.
    @inlinable
    mutating func unlink(_ s: Int32) {
        let aux = table.aux.unsafelyUnwrapped
        let w = table.weight(Int(s))
        switch aux[Int(s)] & Self.regionMask {
        case Self.windowRegion:
            window.remove(s, table.prev, table.next)
            windowWeight &-= w
        case Self.probationRegion:
            probation.remove(s, table.prev, table.next)
        default:
            protected.remove(s, table.prev, table.next)
            protectedWeight &-= w
        }
    }

    /// Unlinks, unfiles (when `filed`) and frees an indexed slot, counting `cause`.
    @inlinable @discardableResult
    mutating func removeSlot(_ s: Int32, _ cause: RemovalCause, filed: Bool = true, _ removed: inout Removals<Key, Value>) -> Value {
        unlink(s)
        if tracksExpiry && filed && table.expiry.unsafelyUnwrapped[Int(s)] < .infinity {
            wheel.cancel(s, table.prev2!, table.next2!)
        }
        let (k, v) = table.free(s)
        table.aux.unsafelyUnwrapped[Int(s)] = 0
        if cause == .size { counters.sizeEvictions &+= 1 } else if cause == .expired { counters.expiredEvictions &+= 1 }
        removed.append(k, v, cause)
        return v
    }

    /// Evicts until the total weight fits. `sparing` is the entry just inserted, which
    /// sampled policies never pick while another entry remains.
    @inlinable
    mutating func evict(sparing: Int32, _ removed: inout Removals<Key, Value>) {
        if table.totalWeight <= maximum { return }
        switch policy {
        case .adaptive:
            evictAdaptive(&removed)
        case .lru, .fifo:
            while table.totalWeight > maximum, window.head >= 0 { removeSlot(window.head, .size, &removed) }
        case .lfu, .random:
            while table.totalWeight > maximum, window.head >= 0 {
                removeSlot(sampledVictim(sparing: sparing), .size, &removed)
            }
        }
    }

    /// W-TinyLFU eviction: the window's overflow moves to probation as candidates, then
    /// each candidate duels the probation head (the main space's victim) by frequency.
    @inlinable
    mutating func evictAdaptive(_ removed: inout Removals<Key, Value>) {
        let aux = table.aux.unsafelyUnwrapped
        var candidate = noSlot
        while windowWeight > windowMax {
            let s = window.head
            if s < 0 { break }
            window.remove(s, table.prev, table.next)
            probation.append(s, table.prev, table.next)
            aux[Int(s)] = (aux[Int(s)] & ~Self.regionMask) | Self.probationRegion
            windowWeight &-= table.weight(Int(s))
            if candidate < 0 { candidate = s }
        }
        while table.totalWeight > maximum {
            let victim = probation.head
            if victim < 0 {
                let fallback = protected.head >= 0 ? protected.head : window.head
                if fallback < 0 { return }
                removeSlot(fallback, .size, &removed)
                continue
            }
            if candidate < 0 || victim == candidate {
                if victim == candidate { candidate = table.next[Int(candidate)] }
                removeSlot(victim, .size, &removed)
                continue
            }
            if admit(candidate, over: victim) {
                removeSlot(victim, .size, &removed)
            } else {
                let next = table.next[Int(candidate)]
                removeSlot(candidate, .size, &removed)
                candidate = next
            }
        }
    }

    /// TinyLFU's admission duel: the candidate wins when the sketch says it is used more
    /// often; a warm candidate that loses is still admitted 1 time in 128, so a key whose
    /// hash collides with a hot one (or a loop longer than the cache) cannot be shut out.
    @inlinable
    mutating func admit(_ candidate: Int32, over victim: Int32) -> Bool {
        let c = sketch.frequency(table.hashes[Int(candidate)])
        let v = sketch.frequency(table.hashes[Int(victim)])
        if c > v { return true }
        if c >= tuning.warmCandidate { return nextRandom() % tuning.jitterOdds == 0 }
        return false
    }

    @inlinable
    mutating func nextRandom() -> UInt64 {
        rng &+= 0x9E37_79B9_7F4A_7C15
        var z = rng
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A live slot picked at random (the window head when sampling keeps missing).
    @inlinable
    mutating func randomLiveSlot() -> Int32 {
        let aux = table.aux.unsafelyUnwrapped
        let n = UInt64(table.highWater)
        for _ in 0..<64 {
            let s = Int(nextRandom() % n)
            if aux[s] & Self.regionMask != 0 { return Int32(truncatingIfNeeded: s) }
        }
        return window.head
    }

    /// RR: one random live entry; LFU: the least used of 16 random live entries.
    /// Never `sparing` while another entry remains.
    @inlinable
    mutating func sampledVictim(sparing: Int32) -> Int32 {
        let aux = table.aux.unsafelyUnwrapped
        let samples = policy == .lfu ? 16 : 1
        var best = noSlot
        for _ in 0..<samples {
            var s = randomLiveSlot()
            if s == sparing && table.count > 1 {
                s = window.head == sparing ? table.next[Int(sparing)] : window.head
            }
            if best < 0 || aux[Int(s)] < aux[Int(best)] { best = s }
        }
        return best
    }

    /// Applies a climber step: grows the window from main or shrinks it into probation.
    /// Returns false when the window is already at that bound.
    @usableFromInline @discardableResult
    package mutating func adjustWindow(by adjustment: Int) -> Bool {
        let aux = table.aux.unsafelyUnwrapped
        if adjustment > 0 {
            var quota = Swift.min(adjustment, protectedMax)
            if quota <= 0 { return false }
            protectedMax -= quota
            windowMax += quota
            demoteProtected()
            for _ in 0..<1000 {
                var s = probation.head
                if s < 0 || table.weight(Int(s)) > quota { s = protected.head }
                if s < 0 { break }
                let w = table.weight(Int(s))
                if w > quota { break }
                quota -= w
                unlink(s)
                window.append(s, table.prev, table.next)
                aux[Int(s)] = (aux[Int(s)] & ~Self.regionMask) | Self.windowRegion
                windowWeight &+= w
            }
            protectedMax += quota
            windowMax -= quota
        } else {
            var quota = Swift.min(-adjustment, Swift.max(0, windowMax - 1))
            if quota <= 0 { return false }
            protectedMax += quota
            windowMax -= quota
            for _ in 0..<1000 {
                let s = window.head
                if s < 0 { break }
                let w = table.weight(Int(s))
                if w > quota { break }
                quota -= w
                window.remove(s, table.prev, table.next)
                probation.append(s, table.prev, table.next)
                aux[Int(s)] = (aux[Int(s)] & ~Self.regionMask) | Self.probationRegion
                windowWeight &-= w
            }
            protectedMax -= quota
            windowMax += quota
        }
        return true
    }

    // MARK: Inspection

    /// Entries held now (expired ones not yet reclaimed included).
    package var count: Int { table.count }
    /// Total weight held now.
    package var totalWeight: Int { table.totalWeight }

    /// The counters with the current count and weight.
    package func stats() -> CacheStats { counters.snapshot(count: table.count, bytes: table.totalWeight) }

    /// The keys of a region, oldest first (for tests and diagnostics).
    package func keys(in region: BoxRegion) -> [Key] {
        let list: LinkedOrder
        switch region {
        case .window: list = window
        case .probation: list = probation
        case .protected: list = protected
        }
        return list.slots(table.next).map { table.keys[Int($0)] }
    }

    /// Checks the structural invariants; returns a description of the first broken one.
    package func invariantViolation() -> String? {
        let w = window.slots(table.next), p = probation.slots(table.next), q = protected.slots(table.next)
        if w.count + p.count + q.count != table.count { return "lists hold \(w.count + p.count + q.count), table \(table.count)" }
        let ww = w.reduce(0) { $0 + table.weight(Int($1)) }
        let qw = q.reduce(0) { $0 + table.weight(Int($1)) }
        if ww != windowWeight { return "window weight \(windowWeight) != \(ww)" }
        if qw != protectedWeight { return "protected weight \(protectedWeight) != \(qw)" }
        if table.totalWeight > maximum { return "total weight \(table.totalWeight) > maximum \(maximum)" }
        if tracksExpiry {
            let filed = (w + p + q).filter { table.expiry.unsafelyUnwrapped[Int($0)] < .infinity }.count
            if filed != wheel.scheduled { return "wheel holds \(wheel.scheduled), \(filed) entries have deadlines" }
        }
        return nil
    }
}

/// A region of the adaptive policy.
package enum BoxRegion: Sendable {
    case window, probation, protected
}
