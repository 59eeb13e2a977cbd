import CacheCore
import CacheRESP
import CacheRedis
import Foundation

/// The `redis` workload: against a redis-server this command starts on a free port,
/// in the same run as `redis-benchmark` on that server with the same value size:
/// - single GET latency (p50, p90) vs `redis-benchmark -c 1 -P 1 -t set,get -d N`;
/// - pipelined GET throughput, 16 in flight on one connection, vs `-c 1 -P 16`.
/// Our figures go through the public API: `RedisClient.send` / `pipeline` (raw GET) and
/// `RedisStore.value(forKey:)` (GET plus envelope decoding).
enum RedisBench {
    static let operations = 20_000

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

        // redis-benchmark first (its SET populates the key its GET reads: key:__rand_int__).
        var single: [BenchmarkRow] = [], pipelined: [BenchmarkRow] = []
        for _ in 0..<passes {
            single.append(try redisBenchmark(benchmarkPath, port: port, pipeline: 1, valueSize: valueSize))
            pipelined.append(try redisBenchmark(benchmarkPath, port: port, pipeline: 16, valueSize: valueSize))
        }
        let baselineP50 = Samples(values: single.map(\.p50Microseconds))
        let baselinePipelined = Samples(values: pipelined.map(\.rps))
        reporter.report(row("redis-benchmark -c1 -P1 -d\(valueSize)", "get-p50", baselineP50, "µs", baseline: true))
        reporter.report(row("redis-benchmark -c1 -P16 -d\(valueSize)", "get-pipelined", baselinePipelined, "ops/s", baseline: true))

        try runDetachedBench {
            let client = try RedisClient(url: "redis://127.0.0.1:\(port)?pool=1")
            let key = Array("key:__rand_int__".utf8)
            // Single GETs: p50 and p90 over every GET of every pass; per-pass p50 for the spread.
            var all: [Double] = []
            var passP50: [Double] = []
            for _ in 0..<passes {
                var latencies: [Double] = []
                latencies.reserveCapacity(operations)
                for _ in 0..<operations {
                    let start = nowNanoseconds()
                    let reply = try await client.send([Array("GET".utf8), key])
                    latencies.append(Double(nowNanoseconds() - start) / 1_000)
                    guard reply.bytes?.count == valueSize else { throw BenchError("GET returned \(reply)") }
                }
                passP50.append(Samples(values: latencies).median)
                all += latencies
            }
            let everything = Samples(values: all)
            let single = Samples(values: passP50)
            reporter.report(row("CacheRedis.RedisClient", "get-p50", single, "µs", baseline: false, p90: everything.p90,
                                ratio: single.median / baselineP50.median, baselineName: "redis-benchmark -c1 -P1"))

            // 16 in flight on one connection.
            let batch = [[[UInt8]]](repeating: [Array("GET".utf8), key], count: 16)
            let rates = try await measureAsyncPasses(passes) {
                for _ in 0..<(operations / 16) {
                    let replies = try await client.pipeline(batch)
                    guard replies.count == 16 else { throw BenchError("pipeline returned \(replies.count) replies") }
                }
            }.map { Double(operations / 16 * 16) / ($0 / 1e9) }
            let pipelinedSamples = Samples(values: rates)
            reporter.report(row("CacheRedis.RedisClient", "get-pipelined", pipelinedSamples, "ops/s", baseline: false,
                                ratio: pipelinedSamples.median / baselinePipelined.median, baselineName: "redis-benchmark -c1 -P16"))

            // Through the store (GET + envelope decode of a [UInt8] value).
            let store = RedisStore<[UInt8]>(client: client)
            let cacheKey = try CacheKey(name: "bench", arguments: 1)
            try await store.setValue([UInt8](repeating: 7, count: valueSize), forKey: cacheKey, ttl: nil)
            var storeP50: [Double] = []
            for _ in 0..<passes {
                var latencies: [Double] = []
                for _ in 0..<(operations / 4) {
                    let start = nowNanoseconds()
                    guard try await store.value(forKey: cacheKey) != nil else { throw BenchError("store miss") }
                    latencies.append(Double(nowNanoseconds() - start) / 1_000)
                }
                storeP50.append(Samples(values: latencies).median)
            }
            let storeSamples = Samples(values: storeP50)
            reporter.report(row("CacheRedis.RedisStore", "get-p50", storeSamples, "µs", baseline: false,
                                ratio: storeSamples.median / baselineP50.median, baselineName: "redis-benchmark -c1 -P1"))
            await client.close()
        }
    }

    static func row(_ candidate: String, _ metric: String, _ s: Samples, _ unit: String, baseline: Bool, p90: Double? = nil, ratio: Double? = nil, baselineName: String? = nil) -> BenchReporter.Row {
        BenchReporter.Row(workload: "redis", candidate: candidate, metric: metric, value: s.median, unit: unit, baseline: baseline,
                          min: s.min, max: s.max, p90: p90, passes: s.values.count, ratioToBaseline: ratio, baselineName: baselineName)
    }

    static func redisBenchmark(_ path: String, port: Int, pipeline: Int, valueSize: Int) throws -> BenchmarkRow {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-c", "1", "-P", "\(pipeline)", "-t", "set,get",
                             "-d", "\(valueSize)", "-n", "\(pipeline == 1 ? operations : operations * 8)", "--csv"]
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
