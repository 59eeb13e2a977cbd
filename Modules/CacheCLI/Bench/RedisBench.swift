import CacheCore
import CacheRESP
import CacheRedis
import Foundation
import Synchronization

/// The `redis` workload: against a redis-server this command starts on a free port,
/// in the same run as `redis-benchmark` on that server with the same value size, passes
/// alternating between the two:
/// - single GET latency (p50, p90) vs `redis-benchmark -c 1 -P 1 -t set,get -d N`;
/// - pipelined GET throughput, 16 in flight on one connection, vs `-c 1 -P 16`.
/// Our figures go through the public API: `RedisClient.send` / `pipeline` (raw GET) — from
/// an ordinary task and inside `withEventLoopAffinity` — and
/// `RedisStore.value(forKey:)` (GET plus envelope decoding).
enum RedisBench {
    static let operations = 20_000
    /// GETs per pipelined pass, the same count `redis-benchmark -P 16` runs (`-n`).
    static let pipelinedOperations = operations * 8

    struct BenchmarkRow { var rps: Double; var p50Microseconds: Double }

    static func run(passes: Int, reporter: BenchReporter, valueSize: Int) throws {
        guard let serverPath = which("redis-server"), let benchmarkPath = which("redis-benchmark") else {
            throw BenchError("redis-server and redis-benchmark must be on PATH (apt-get install redis-server)")
        }
        let port = try freeTCPPort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-redis-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: serverPath)
        server.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.path]
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
        }
        usleep(300_000)

        // Passes alternate between redis-benchmark and our client (P1, ours single, P16,
        // ours pipelined) so that load drifting on a shared machine hits both sides alike.
        // redis-benchmark's SET populates the key its GET reads (key:__rand_int__).
        let client = try RedisClient(url: "redis://127.0.0.1:\(port)?pool=1")
        let key = Array("key:__rand_int__".utf8)
        let get = [Array("GET".utf8), key]
        var single: [BenchmarkRow] = [], pipelined: [BenchmarkRow] = []
        let oursP50 = Mutex<[Double]>([]), oursLatencies = Mutex<[Double]>([]), oursRates = Mutex<[Double]>([])
        let affinityP50 = Mutex<[Double]>([]), affinityLatencies = Mutex<[Double]>([]), affinityRates = Mutex<[Double]>([])
        for pass in 0..<passes {
            single.append(try redisBenchmark(benchmarkPath, port: port, pipeline: 1, valueSize: valueSize))
            if pass == 0 {
                // Warm connection (connect, first allocations) before any timed GET.
                try runDetachedBench { for _ in 0..<1_000 { _ = try await client.send(get) } }
            }
            // Single GETs: p50 per pass (the spread) and p90 over every GET of every pass;
            // from an ordinary task, then with event-loop affinity (the loop runs on the
            // connection's event loop).
            try runDetachedBench {
                let latencies = try await singleGetLatencies(client, get, valueSize: valueSize)
                oursP50.withLock { $0.append(Samples(values: latencies).median) }
                oursLatencies.withLock { $0 += latencies }
            }
            try runDetachedBench {
                let latencies = try await client.withEventLoopAffinity { try await singleGetLatencies(client, get, valueSize: valueSize) }
                affinityP50.withLock { $0.append(Samples(values: latencies).median) }
                affinityLatencies.withLock { $0 += latencies }
            }
            pipelined.append(try redisBenchmark(benchmarkPath, port: port, pipeline: 16, valueSize: valueSize))
            try runDetachedBench {
                let rate = try await pipelinedRate(client, get)
                oursRates.withLock { $0.append(rate) }
            }
            try runDetachedBench {
                let rate = try await client.withEventLoopAffinity { try await pipelinedRate(client, get) }
                affinityRates.withLock { $0.append(rate) }
            }
        }
        let baselineP50 = Samples(values: single.map(\.p50Microseconds))
        let baselinePipelined = Samples(values: pipelined.map(\.rps))
        reporter.report(row("redis-benchmark -c1 -P1 -d\(valueSize)", "get-p50", baselineP50, "µs", baseline: true))
        reporter.report(row("redis-benchmark -c1 -P16 -d\(valueSize)", "get-pipelined", baselinePipelined, "ops/s", baseline: true))
        let singleSamples = Samples(values: oursP50.withLock { $0 })
        reporter.report(row("CacheRedis.RedisClient", "get-p50", singleSamples, "µs", baseline: false,
                            p90: Samples(values: oursLatencies.withLock { $0 }).p90,
                            ratio: singleSamples.median / baselineP50.median, baselineName: "redis-benchmark -c1 -P1"))
        let pipelinedSamples = Samples(values: oursRates.withLock { $0 })
        reporter.report(row("CacheRedis.RedisClient", "get-pipelined", pipelinedSamples, "ops/s", baseline: false,
                            ratio: pipelinedSamples.median / baselinePipelined.median, baselineName: "redis-benchmark -c1 -P16"))
        let affinitySingle = Samples(values: affinityP50.withLock { $0 })
        reporter.report(row("RedisClient withEventLoopAffinity", "get-p50", affinitySingle, "µs", baseline: false,
                            p90: Samples(values: affinityLatencies.withLock { $0 }).p90,
                            ratio: affinitySingle.median / baselineP50.median, baselineName: "redis-benchmark -c1 -P1"))
        let affinityPipelined = Samples(values: affinityRates.withLock { $0 })
        reporter.report(row("RedisClient withEventLoopAffinity", "get-pipelined", affinityPipelined, "ops/s", baseline: false,
                            ratio: affinityPipelined.median / baselinePipelined.median, baselineName: "redis-benchmark -c1 -P16"))

        // Through the store (GET + envelope decode of a [UInt8] value).
        try runDetachedBench {
            let store = RedisStore<[UInt8]>(client: client)
            let cacheKey = try CacheKey(name: "bench", arguments: 1)
            try await store.setValue([UInt8](repeating: 7, count: valueSize), forKey: cacheKey, ttl: nil)
            let storeSamples = Samples(values: try await storeGetMedians(store, cacheKey, passes: passes))
            reporter.report(row("CacheRedis.RedisStore", "get-p50", storeSamples, "µs", baseline: false,
                                ratio: storeSamples.median / baselineP50.median, baselineName: "redis-benchmark -c1 -P1"))
            let pinnedSamples = Samples(values: try await client.withEventLoopAffinity {
                try await storeGetMedians(store, cacheKey, passes: passes)
            })
            reporter.report(row("RedisStore withEventLoopAffinity", "get-p50", pinnedSamples, "µs", baseline: false,
                                ratio: pinnedSamples.median / baselineP50.median, baselineName: "redis-benchmark -c1 -P1"))
            await client.close()
        }
    }

    /// The latency in µs of each of `operations` GETs sent one after another.
    static func singleGetLatencies(_ client: RedisClient, _ get: [[UInt8]], valueSize: Int) async throws -> [Double] {
        var latencies: [Double] = []
        latencies.reserveCapacity(operations)
        for _ in 0..<operations {
            let start = nowNanoseconds()
            let reply = try await client.send(get)
            latencies.append(Double(nowNanoseconds() - start) / 1_000)
            guard reply.bytes?.count == valueSize else { throw BenchError("GET returned \(reply)") }
        }
        return latencies
    }

    /// GETs per second with 16 in flight on one connection: batches of 16, each sent once
    /// the previous one is answered, exactly as `redis-benchmark -c 1 -P 16` does; as many GETs.
    static func pipelinedRate(_ client: RedisClient, _ get: [[UInt8]]) async throws -> Double {
        let batch = [[[UInt8]]](repeating: get, count: 16)
        let batches = pipelinedOperations / 16
        let start = nowNanoseconds()
        for _ in 0..<batches {
            let replies = try await client.pipeline(batch)
            guard replies.count == 16 else { throw BenchError("pipeline returned \(replies.count) replies") }
        }
        return Double(batches * 16) / (Double(nowNanoseconds() - start) / 1e9)
    }

    /// The median latency in µs of each pass of store reads (GET + envelope decode).
    static func storeGetMedians(_ store: RedisStore<[UInt8]>, _ key: CacheKey, passes: Int) async throws -> [Double] {
        var medians: [Double] = []
        for _ in 0..<passes {
            var latencies: [Double] = []
            for _ in 0..<(operations / 4) {
                let start = nowNanoseconds()
                guard try await store.value(forKey: key) != nil else { throw BenchError("store miss") }
                latencies.append(Double(nowNanoseconds() - start) / 1_000)
            }
            medians.append(Samples(values: latencies).median)
        }
        return medians
    }

    static func row(_ candidate: String, _ metric: String, _ s: Samples, _ unit: String, baseline: Bool, p90: Double? = nil, ratio: Double? = nil, baselineName: String? = nil) -> BenchReporter.Row {
        BenchReporter.Row(workload: "redis", candidate: candidate, metric: metric, value: s.median, unit: unit, baseline: baseline,
                          min: s.min, max: s.max, p90: p90, passes: s.values.count, ratioToBaseline: ratio, baselineName: baselineName)
    }

    static func redisBenchmark(_ path: String, port: Int, pipeline: Int, valueSize: Int) throws -> BenchmarkRow {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-c", "1", "-P", "\(pipeline)", "-t", "set,get",
                             "-d", "\(valueSize)", "-n", "\(pipeline == 1 ? operations : pipelinedOperations)", "--csv"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for line in text.split(separator: "\n") where line.hasPrefix("\"GET\"") {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            if fields.count >= 5, let rps = Double(fields[1]), let p50 = Double(fields[4]) {
                return BenchmarkRow(rps: rps, p50Microseconds: p50 * 1_000)
            }
        }
        throw BenchError("could not read redis-benchmark's GET row from: \(text)")
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func freeTCPPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw BenchError("no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
