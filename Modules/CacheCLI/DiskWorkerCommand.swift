import ArgumentParser
import CacheCore
import CacheDisk
import Foundation

/// `cachectl disk-worker …` (hidden): the child process of the crash-safety and
/// multi-process tests and of `cachectl bench multiprocess`.
struct DiskWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disk-worker", abstract: "Child process for disk cache tests and benchmarks.", shouldDisplay: false)

    @Argument(help: "crash-writer | mp-writer | freshness | causal-writer | causal-reader | async-memoize | reopen | noop")
    var mode: String

    @Argument(help: "The cache directory.")
    var directory: String

    @Option(help: "Worker id (mp-writer) or random seed (crash-writer).")
    var id: Int = 0

    @Option(help: "Set+get pairs (mp-writer); keys called (async-memoize).")
    var count: Int = 1_000

    @Flag(help: "mp-writer: all workers write the same keys.")
    var overlap = false

    @Flag(help: "mp-writer, async-memoize: wait for a line on stdin before starting (a start barrier); causal-reader: read once more after a line on stdin.")
    var barrier = false

    @Option(help: "Shards (mp-writer): 0 = a plain DiskCache.")
    var shards: Int = 0

    func run() throws {
        switch mode {
        case "crash-writer": try crashWriter()
        case "mp-writer": try multiprocessWriter()
        case "freshness": try freshnessReader()
        case "causal-writer": try causalWriter()
        case "causal-reader": try causalReader()
        case "async-memoize": try asyncMemoize()
        case "reopen":
            // Opens an existing cache and reads one key: the bench's reopen figure.
            // Prints the milliseconds from entering the command to holding the value.
            let start = nowNanoseconds()
            let cache = try DiskCache(directory: directory)
            guard try cache.get("k0", as: [UInt8].self) != nil else { throw ExitCode(4) }
            print(Double(nowNanoseconds() - start) / 1e6)
        case "noop": break
        default: throw ValidationError("unknown disk-worker mode '\(mode)'")
        }
    }

    /// Writes forever (until SIGKILL): small and ≥ 32 KiB values, evictions past a 1 MB
    /// limit, deletes, and 3-key transact blocks sharing one generation.
    func crashWriter() throws {
        let cache = try DiskCache(directory: directory, options: DiskCacheOptions(sizeLimit: 1_000_000))
        var rng = SplitMix64(seed: UInt64(id) &+ 1)
        var generation = UInt64(UInt32(truncatingIfNeeded: rng.next())) << 24
        func next() -> UInt64 { generation += 1; return generation }
        var announced = false
        while true {
            let roll = rng.next() % 100
            switch roll {
            case 0..<55:
                let key = "s\(rng.next() % 200)"
                try cache.set(DiskSelfCheckingValue.make(key: key, generation: next(), length: 16 + Int(rng.next() % 2_000)), forKey: key)
            case 55..<75:
                let key = "b\(rng.next() % 20)"
                try cache.set(DiskSelfCheckingValue.make(key: key, generation: next(), length: 32_768 + Int(rng.next() % 100_000)), forKey: key)
            case 75..<90:
                let g = next()
                try cache.transact { tx in
                    try tx.set(DiskSelfCheckingValue.make(key: "t0", generation: g, length: 100), forKey: "t0")
                    try tx.set(DiskSelfCheckingValue.make(key: "t1", generation: g, length: 40_000), forKey: "t1")
                    try tx.set(DiskSelfCheckingValue.make(key: "t2", generation: g, length: 3_000), forKey: "t2")
                }
            case 90..<95:
                try cache.delete("s\(rng.next() % 200)")
            default:
                let key = "s\(rng.next() % 200)"
                if let value = try cache.get(key, as: [UInt8].self), DiskSelfCheckingValue.verify(key: key, value) == nil {
                    print("garbled \(key)")
                    throw ExitCode(3)
                }
            }
            if !announced {
                announced = true
                print("ready")
                fflush(nil)
            }
        }
    }

    /// `count` set+get pairs of self-checking values; prints one JSON line of results.
    func multiprocessWriter() throws {
        let single: DiskCache? = shards == 0 ? try DiskCache(directory: directory) : nil
        let fanout: FanoutDiskCache? = shards > 0 ? try FanoutDiskCache(directory: directory, shardCount: shards) : nil
        func set(_ value: [UInt8], _ key: String) throws {
            if let single { try single.set(value, forKey: key) } else { try fanout!.set(value, forKey: key) }
        }
        func get(_ key: String) throws -> [UInt8]? {
            if let single { return try single.get(key, as: [UInt8].self) }
            return try fanout!.get(key, as: [UInt8].self)
        }
        if barrier {
            print("ready")
            fflush(nil)
            _ = readLine()
        }
        var failed = 0, garbled = 0, missing = 0
        let start = WallCacheClock().now()
        for i in 0..<count {
            let key = overlap ? "shared-\(i % 100)" : "w\(id)-\(i)"
            let generation = UInt64(id) << 32 | UInt64(i)
            do { try set(DiskSelfCheckingValue.make(key: key, generation: generation, length: 100), key) } catch {
                failed += 1
                FileHandle.standardError.write(Data("set failed: \(error)\n".utf8))
            }
            do {
                if let value = try get(key) {
                    if DiskSelfCheckingValue.verify(key: key, value) == nil { garbled += 1 }
                } else {
                    missing += 1
                }
            } catch {
                failed += 1
                FileHandle.standardError.write(Data("get failed: \(error)\n".utf8))
            }
        }
        let end = WallCacheClock().now()
        // Lost: an own (distinct) key not holding exactly what this worker wrote.
        var lost = 0
        if !overlap {
            for i in 0..<count {
                let key = "w\(id)-\(i)"
                let value = try? get(key)
                if value.flatMap({ DiskSelfCheckingValue.verify(key: key, $0) }) != (UInt64(id) << 32 | UInt64(i)) { lost += 1 }
            }
        }
        print("{\"worker\":\(id),\"pairs\":\(count),\"failed\":\(failed),\"garbled\":\(garbled),\"missing\":\(missing),\"lost\":\(lost),\"start\":\(start),\"end\":\(end)}")
    }

    /// Reads `key`, prints its generation, waits for a line on stdin, reads again, prints again.
    /// Sets `x = i`, then `y = i` (two commits), for i in 1...count.
    func causalWriter() throws {
        let cache = try DiskCache(directory: directory)
        for i in 1...max(1, count) {
            try cache.set(i, forKey: "x")
            try cache.set(i, forKey: "y")
        }
    }

    /// Reads `y`, then `x`, `count` times: since x = i committed before y = i, x ≥ y always;
    /// a stale (front-served) x would break it. Prints the reads and the violations as JSON.
    func causalReader() throws {
        let cache = try DiskCache(directory: directory)
        var violations = 0, highest = 0
        for _ in 0..<count {
            let y = try cache.get("y", as: Int.self) ?? 0
            let x = try cache.get("x", as: Int.self) ?? 0
            if x < y { violations += 1 }
            highest = max(highest, y)
        }
        // With --barrier: one more read of each after a line on stdin (sent once the writer is done).
        var final = (x: -1, y: -1)
        if barrier {
            _ = readLine()
            final = (try cache.get("x", as: Int.self) ?? 0, try cache.get("y", as: Int.self) ?? 0)
        }
        print("{\"reads\":\(count),\"violations\":\(violations),\"highest\":\(highest),\"finalX\":\(final.x),\"finalY\":\(final.y)}")
    }

    func freshnessReader() throws {
        let cache = try DiskCache(directory: directory)
        func report() throws {
            let value = try cache.get("fresh", as: [UInt8].self)
            let generation = value.flatMap { DiskSelfCheckingValue.verify(key: "fresh", $0) }
            print(generation.map { "generation \($0)" } ?? "missing")
            fflush(nil)
        }
        // Reports once, then once after each line on stdin until it closes.
        try report()
        while readLine() != nil { try report() }
    }
}
