import CacheCore
import CacheJoblib
import CacheSQLite
import CacheTestKit
import Foundation
import Synchronization
import Testing

/// A full disk (a real 2 MB tmpfs; needs root, as CI runs) under an array cache: the write
/// fails with a typed error saying so (`CacheIOError` with ENOSPC when the array file does not
/// fit, `SQLiteError` with `isFull` when the index does), every array stored before reads back whole
/// from a new instance, and a memoized call still returns the array it computed.
@Suite struct ArrayCacheDiskFullTests {
    @Test func aFullDiskIsATypedErrorAndLosesNothingWritten() throws {
        let mount = TemporaryDirectory("full")
        defer { mount.cleanup() }
        if let reason = try mountSmallTmpfs(at: mount.path, megabytes: 2) {
            #expect(!servicesRequired || getuid() != 0, "could not mount a tmpfs although running as root: \(reason)")
            print("skipping ArrayCacheDiskFullTests: \(reason)")
            return
        }
        defer { unmount(mount.path) }
        let directory = mount.file("arrays")
        let cache = try ArrayCache(directory: directory)
        let early = (0..<10).map { i in (0..<1_000).map { Double($0 * (i + 1)) } }
        for i in 0..<10 { try cache.setArray(early[i], forKey: CacheKey(name: "early", arguments: i)) }

        var failure: (any Error)?
        var written = 0
        for i in 0..<100 {
            do {
                try cache.setArray([Double](repeating: Double(i), count: 12_500), forKey: CacheKey(name: "fill", arguments: i))
                written += 1
            } catch {
                failure = error
                break
            }
        }
        let saysFull: Bool
        switch failure {
        case let error as CacheIOError: saysFull = error.code == ENOSPC || error.code == EDQUOT
        case let error as SQLiteError: saysFull = error.isFull
        default: saysFull = false
        }
        #expect(saysFull, "filling 2 MB must fail with a typed disk-full error, got \(String(describing: failure))")
        #expect(written > 0)

        let reader = try ArrayCache(directory: directory)
        for i in 0..<10 { #expect(try reader.array(forKey: CacheKey(name: "early", arguments: i), as: [Double].self) == early[i], "early array \(i)") }
        for i in 0..<written {
            #expect(try reader.array(forKey: CacheKey(name: "fill", arguments: i), as: [Double].self) == [Double](repeating: Double(i), count: 12_500))
        }

        let failures = Atomic<Int>(0)
        let store = ArrayCacheStore<[Double]>(cache: cache, namespace: "big")
        let big = try Memoized(store: store, name: "big", options: MemoizeOptions(onStoreFailure: { _, _ in failures.add(1, ordering: .relaxed) })) {
            (n: Int) in [Double](repeating: Double(n), count: 250_000)
        }
        #expect(try big(3) == [Double](repeating: 3, count: 250_000))
        #expect(failures.load(ordering: .relaxed) == 1)
    }
}
