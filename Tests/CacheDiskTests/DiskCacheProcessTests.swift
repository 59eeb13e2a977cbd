import CacheCore
import CacheTestKit
import Foundation
import Testing
@testable import CacheDisk
@testable import cachectl

/// Crash safety and multi-process sharing with real child processes: the hidden
/// `cachectl disk-worker` built beside this test bundle.
@Suite(.serialized) struct DiskCacheProcessTests {
    static func cachectlPath() -> String? { BuiltExecutable.path("cachectl") }

    func requireCachectl() -> String? {
        guard let path = Self.cachectlPath() else {
            print("skipping: the cachectl executable was not found beside the test bundle (\(CommandLine.arguments[0]))")
            return nil
        }
        return path
    }

    /// Reads one line from a pipe (blocking), or nil at end of file.
    func readLine(_ handle: FileHandle) -> String? {
        var line = Data()
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte[0] == 0x0A { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
    }

    @Test(.timeLimit(.minutes(2))) func killedWritersLeaveAConsistentCache() throws {
        guard let cachectl = requireCachectl() else { return }
        let dir = temporaryDirectory("crash")
        var rng = SplitMix64(seed: 2024)
        var kills = 0
        let started = Date()
        for round in 0..<50 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cachectl)
            process.arguments = ["disk-worker", "crash-writer", dir, "--id", "\(round)"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            guard readLine(pipe.fileHandleForReading) == "ready" else {
                process.waitUntilExit()
                Issue.record("round \(round): the writer exited (status \(process.terminationStatus)) before writing")
                return
            }
            usleep(UInt32(2_000 + rng.next() % 40_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "round \(round): the writer ended on its own (status \(process.terminationStatus))")
            kills += 1
            try verifyCrashedCache(dir, round: round)
        }
        #expect(kills == 50)
        print("crash test: 50 SIGKILLs in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    func verifyCrashedCache(_ dir: String, round: Int) throws {
        let cache = try DiskCache(directory: dir, options: DiskCacheOptions(sizeLimit: 1_000_000))
        defer { cache.close() }
        let report = try cache.check()
        #expect(report.integrity == ["ok"], "round \(round): integrity_check \(report.integrity)")
        #expect(report.damagedEntries.isEmpty, "round \(round): committed entries with bad files \(report.damagedEntries)")
        #expect(report.totalsConsistent, "round \(round): totals drifted from the entries")
        var groupGenerations: Set<UInt64> = []
        for key in try cache.keys() {
            let name = try #require(key.stringValue)
            let value = try #require(try cache.get(key, as: [UInt8].self), "round \(round): listed key \(name) is unreadable")
            let generation = DiskSelfCheckingValue.verify(key: name, value)
            #expect(generation != nil, "round \(round): \(name) holds bytes the writer never wrote")
            if name.hasPrefix("t"), let generation { groupGenerations.insert(generation) }
        }
        #expect(groupGenerations.count <= 1, "round \(round): a transact block was torn: generations \(groupGenerations)")
        #expect(cache.stats.bytes <= 1_000_000)
    }

    func runWorkers(_ cachectl: String, dir: String, workers: Int, count: Int, overlap: Bool, shards: Int = 0) throws -> [[String: Any]] {
        var processes: [(Process, Pipe)] = []
        for id in 0..<workers {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cachectl)
            process.arguments = ["disk-worker", "mp-writer", dir, "--id", "\(id)", "--count", "\(count)", "--shards", "\(shards)"]
                + (overlap ? ["--overlap"] : [])
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            processes.append((process, pipe))
        }
        var results: [[String: Any]] = []
        for (process, pipe) in processes {
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            if let object = try JSONSerialization.jsonObject(with: output) as? [String: Any] { results.append(object) }
        }
        return results
    }

    @Test(.timeLimit(.minutes(2)), arguments: [(2, false), (2, true), (8, false), (8, true)])
    func processesShareOneDirectory(workers: Int, overlap: Bool) throws {
        guard let cachectl = requireCachectl() else { return }
        let dir = temporaryDirectory("mp")
        _ = try DiskCache(directory: dir)  // created once, so workers only open it
        let count = workers == 2 ? 1_000 : 250
        let results = try runWorkers(cachectl, dir: dir, workers: workers, count: count, overlap: overlap)
        #expect(results.count == workers)
        for result in results {
            #expect(result["failed"] as? Int == 0, "\(result)")
            #expect(result["garbled"] as? Int == 0, "\(result)")
            #expect(result["lost"] as? Int == 0, "\(result)")
            #expect(result["missing"] as? Int == 0, "\(result)")
        }
        let cache = try DiskCache(directory: dir)
        #expect(cache.count == (overlap ? 100 : workers * count))
        for key in try cache.keys() {
            let name = try #require(key.stringValue)
            let value = try #require(try cache.get(key, as: [UInt8].self))
            #expect(DiskSelfCheckingValue.verify(key: name, value) != nil, "\(name) is garbled")
        }
        #expect(try cache.check().isHealthy)
    }

    @Test(.timeLimit(.minutes(2))) func fanoutProcessesLoseNothing() throws {
        guard let cachectl = requireCachectl() else { return }
        let dir = temporaryDirectory("fanout-mp")
        _ = try FanoutDiskCache(directory: dir, shardCount: 2)
        let results = try runWorkers(cachectl, dir: dir, workers: 2, count: 1_000, overlap: false, shards: 2)
        for result in results {
            #expect(result["failed"] as? Int == 0 && result["lost"] as? Int == 0 && result["garbled"] as? Int == 0, "\(result)")
        }
        #expect(try FanoutDiskCache(directory: dir, shardCount: 2).count == 2_000)
    }

    @Test(.timeLimit(.minutes(1))) func anotherProcessSeesTheNewestCommit() throws {
        guard let cachectl = requireCachectl() else { return }
        let dir = temporaryDirectory("fresh")
        let writer = try DiskCache(directory: dir)
        try writer.set(DiskSelfCheckingValue.make(key: "fresh", generation: 1, length: 100), forKey: "fresh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cachectl)
        process.arguments = ["disk-worker", "freshness", dir]
        let output = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        #expect(readLine(output.fileHandleForReading) == "generation 1", "the reader saw v1 first")
        // A large v2 too, so the value-file path is covered.
        try writer.set(DiskSelfCheckingValue.make(key: "fresh", generation: 2, length: 50_000), forKey: "fresh")
        input.fileHandleForWriting.write(Data("go\n".utf8))
        #expect(readLine(output.fileHandleForReading) == "generation 2", "after the commit and the signal, the reader sees v2")
        // Small values again: the reader's in-process front holds v3 after reading it twice
        // (the second read is served by the front), and must still see v4.
        try writer.set(DiskSelfCheckingValue.make(key: "fresh", generation: 3, length: 100), forKey: "fresh")
        input.fileHandleForWriting.write(Data("go\n".utf8))
        #expect(readLine(output.fileHandleForReading) == "generation 3")
        input.fileHandleForWriting.write(Data("go\n".utf8))
        #expect(readLine(output.fileHandleForReading) == "generation 3")
        try writer.set(DiskSelfCheckingValue.make(key: "fresh", generation: 4, length: 120), forKey: "fresh")
        input.fileHandleForWriting.write(Data("go\n".utf8))
        #expect(readLine(output.fileHandleForReading) == "generation 4", "a front-served key follows another process's commit")
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    /// One process sets x = i then y = i; others read y then x, many times, with their
    /// fronts on: a read of x must never be older than the y read before it (x ≥ y).
    @Test(.timeLimit(.minutes(1))) func frontsNeverServeAValueOlderThanACausallyEarlierCommit() throws {
        guard let cachectl = requireCachectl() else { return }
        let dir = temporaryDirectory("causal")
        let seed = try DiskCache(directory: dir)
        try seed.set(0, forKey: "x")
        try seed.set(0, forKey: "y")
        func start(_ mode: String, count: Int) throws -> (Process, Pipe, Pipe) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cachectl)
            process.arguments = ["disk-worker", mode, dir, "--count", "\(count)", "--barrier"]
            let output = Pipe(), input = Pipe()
            process.standardOutput = output
            process.standardInput = input
            try process.run()
            return (process, output, input)
        }
        let readers = try (0..<2).map { _ in try start("causal-reader", count: 20_000) }
        let writer = try start("causal-writer", count: 2_000)
        writer.0.waitUntilExit()
        #expect(writer.0.terminationStatus == 0)
        // The writer is done: each reader's next reads must see its last commits.
        for (_, _, input) in readers { input.fileHandleForWriting.write(Data("go\n".utf8)) }
        for (process, output, _) in readers {
            let line = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            struct Report: Decodable { var reads: Int; var violations: Int; var highest: Int; var finalX: Int; var finalY: Int }
            let report = try JSONDecoder().decode(Report.self, from: Data(line.utf8))
            #expect(report.violations == 0, "a reader saw x older than y: a stale front")
            #expect(report.reads == 20_000)
            #expect(report.finalX == 2_000 && report.finalY == 2_000, "after the writer finished, a reader sees its last commits")
        }
        #expect(try seed.get("x", as: Int.self) == 2_000)
        #expect(try seed.get("y", as: Int.self) == 2_000)
    }

    @Test func cachectlStatsCheckAndClear() throws {
        guard let cachectl = requireCachectl() else { return }
        let dir = temporaryDirectory("cli")
        let cache = try DiskCache(directory: dir)
        for i in 0..<10 { try cache.set(bytes(i == 0 ? 50_000 : 10, seed: UInt8(i)), forKey: "k\(i)", tag: i % 2 == 0 ? "even" : nil) }
        let stats = try runProgram(cachectl, ["stats", dir, "--json"])
        #expect(stats.status == 0)
        let summary = try JSONDecoder().decode(DiskCacheSummary.self, from: Data(stats.output.utf8))
        #expect(summary.entries == 10 && summary.fileEntries == 1)
        #expect(try runProgram(cachectl, ["check", dir]).status == 0)
        // Damage a value file behind the cache's back: check reports it, --repair removes the entry.
        let file = try #require(valueFiles(dir).first)
        truncate(dir + "/values/" + file, 10)
        #expect(try runProgram(cachectl, ["check", dir]).status == 1)
        #expect(try runProgram(cachectl, ["check", dir, "--repair"]).status == 0)
        #expect(try runProgram(cachectl, ["check", dir]).status == 0)
        let cleared = try runProgram(cachectl, ["clear", dir, "--tag", "even"])
        #expect(cleared.output.contains("removed 4 entries"))
        #expect(cache.count == 5)
        #expect(try runProgram(cachectl, ["stats", temporaryDirectory("none")]).status != 0, "a directory without a cache is refused")
    }
}
