import CacheCore
import CacheTools

extension DemoCommand {
    /// Policy caches: time to live on an injected clock, and weights.
    static func policyTour() throws {
        print("4. Policy caches (CacheTools): a TTL cache on a clock we move by hand:")
        let clock = ManualCacheClock()
        let sessions = try TTLCache<String, String>(maxSize: 100, ttl: .seconds(30), clock: clock)
        sessions["alice"] = "token-1"
        print("   t=0s   sessions[alice] = \(sessions["alice"] ?? "nil")")
        clock.advance(by: .seconds(31))
        print("   t=31s  sessions[alice] = \(sessions["alice"] ?? "nil")   (expired: \(sessions.stats.evictions[.expired] ?? 0))\n")

        print("5. Weighted caches bound total weight; an item heavier than the bound is refused:")
        let blobs = try LRUCache<String, [UInt8]>(maxSize: 1_000, weigher: { _, bytes in bytes.count })
        try blobs.setValue([UInt8](repeating: 1, count: 600), forKey: "a")
        try blobs.setValue([UInt8](repeating: 2, count: 300), forKey: "b")
        try blobs.setValue([UInt8](repeating: 3, count: 300), forKey: "c")   // evicts "a"
        print("   after a(600) b(300) c(300): keys \(blobs.keys), weight \(blobs.currentSize)/1000")
        do {
            try blobs.setValue([UInt8](repeating: 4, count: 5_000), forKey: "huge")
        } catch {
            print("   set huge(5000): \(error)")
        }
        print("   stats: \(blobs.stats)\n")
    }
}
