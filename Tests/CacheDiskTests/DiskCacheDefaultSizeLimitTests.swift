import CacheCore
import Foundation
import Testing
import CacheSQLite
@testable import CacheDisk

/// Issue 10, defect 7: a disk cache made without a size limit is bounded by the documented
/// default (1 GiB, diskcache's), and unbounded only when `sizeLimit: nil` is asked for.
@Suite struct DiskCacheDefaultSizeLimitTests {
    @Test func optionsDefaultToOneGibibyte() {
        #expect(DiskCacheOptions.defaultSizeLimit == 1 << 30)
        #expect(DiskCacheOptions().sizeLimit == 1 << 30)
        #expect(DiskCacheOptions(sizeLimit: nil).sizeLimit == nil)
        #expect(DiskCacheOptions(sizeLimit: 4096).sizeLimit == 4096)
    }

    @Test func storesMadeWithoutOptionsAreBounded() throws {
        let dir = temporaryDirectory("default-limit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try DiskCache(directory: dir + "/plain").options.sizeLimit == 1 << 30)
        #expect(try DiskCache(directory: dir + "/convenience", evictionPolicy: .leastRecentlyStored).options.sizeLimit == 1 << 30)
        #expect(try DiskStore<Int>(directory: dir + "/store").allCaches.map(\.options.sizeLimit) == [1 << 30])
        let fanout = try FanoutDiskCache(directory: dir + "/fanout", shardCount: 4)
        #expect(fanout.shards.map(\.options.sizeLimit) == Array(repeating: (1 << 30) / 4, count: 4))
        #expect(try DiskCache(directory: dir + "/unbounded", sizeLimit: nil).options.sizeLimit == nil)
    }

    @Test func engineSettingsAgreeWithTheStoreDefault() throws {
        #expect(DiskEngineSettings.defaultSizeLimit == DiskCacheOptions.defaultSizeLimit)
        #expect(try DiskEngineSettings().cacheOptions.sizeLimit == DiskCacheOptions().sizeLimit)
        #expect(try DiskEngineSettings(sizeLimit: .unbounded).cacheOptions.sizeLimit == nil)
    }

    /// The default bound is enforced from the running totals, which a bounded cache turns on
    /// at its first open (`cache_meta.totals_kept = 1`); an unbounded one leaves them off.
    @Test func theDefaultBoundTurnsOnTheTotals() throws {
        let dir = temporaryDirectory("default-limit-totals")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func totalsKept(_ path: String) throws -> String? {
            let db = try SQLiteConnection(path: path + "/cache.db", flags: [.readOnly, .noMutex])
            return try db.scalarText("SELECT totals_kept FROM cache_meta WHERE id = 0")
        }
        do {
            let bounded = try DiskCache(directory: dir + "/bounded")
            try bounded.set([UInt8](repeating: 7, count: 100), forKey: "a")
            bounded.close()
        }
        do {
            let unbounded = try DiskCache(directory: dir + "/unbounded", options: DiskCacheOptions(sizeLimit: nil))
            try unbounded.set([UInt8](repeating: 7, count: 100), forKey: "a")
            unbounded.close()
        }
        #expect(try totalsKept(dir + "/bounded") == "1")
        #expect(try totalsKept(dir + "/unbounded") == "0")
    }
}
