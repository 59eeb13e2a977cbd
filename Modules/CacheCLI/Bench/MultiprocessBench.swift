import CacheCore
import CacheDisk
import Foundation

/// The `multiprocess` workload: 2 processes × 5,000 set+get pairs on one cache directory,
/// (a) distinct keys, (b) overlapping keys; self-checking values. Reports ops/s (sets +
/// gets over the span from the first worker's start to the last one's end, after a start
/// barrier) and the lost, garbled and failed counts (all must be 0).
enum MultiprocessBench {
    static func run(passes: Int, reporter: BenchReporter, json: Bool) throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let me = FileManager.default.isExecutableFile(atPath: executable) ? executable : CommandLine.arguments[0]
        for (candidate, shards) in [("CacheDisk.DiskCache", 0), ("CacheDisk.FanoutDiskCache(2)", 2)] {
            for overlap in [false, true] {
                var rates: [Double] = []
                var lost = 0, garbled = 0, failed = 0
                for _ in 0..<passes {
                    let dir = DiskBench.freshDirectory("mp")
                    defer { DiskBench.remove(dir) }
                    if shards > 0 { _ = try FanoutDiskCache(directory: dir, shardCount: shards) } else { _ = try DiskCache(directory: dir) }
                    var workers: [(Process, Pipe, Pipe)] = []
                    for id in 0..<2 {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: me)
                        process.arguments = ["disk-worker", "mp-writer", dir, "--id", "\(id)", "--count", "5000", "--barrier",
                                             "--shards", "\(shards)"] + (overlap ? ["--overlap"] : [])
                        let output = Pipe(), input = Pipe()
                        process.standardOutput = output
                        process.standardInput = input
                        try process.run()
                        workers.append((process, output, input))
                    }
                    for (_, output, _) in workers { _ = readLine(output.fileHandleForReading) }
                    for (_, _, input) in workers { input.fileHandleForWriting.write(Data("go\n".utf8)) }
                    var starts: [Double] = [], ends: [Double] = []
                    for (process, output, _) in workers {
                        let data = output.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                            throw DiskBench.ExitCodeError(status: process.terminationStatus, mode: "mp-writer")
                        }
                        starts.append(object["start"] as? Double ?? .nan)
                        ends.append(object["end"] as? Double ?? .nan)
                        lost += object["lost"] as? Int ?? 1
                        garbled += object["garbled"] as? Int ?? 1
                        failed += object["failed"] as? Int ?? 1
                    }
                    rates.append(20_000 / (ends.max()! - starts.min()!))
                }
                let s = Samples(values: rates)
                let metric = overlap ? "overlapping" : "distinct"
                reporter.report(BenchReporter.Row(
                    workload: "multiprocess", candidate: candidate, metric: metric, value: s.median, unit: "ops/s",
                    baseline: false, min: s.min, max: s.max, p90: nil, passes: s.values.count, ratioToBaseline: nil, baselineName: nil))
                for (name, n) in [("lost", lost), ("garbled", garbled), ("failed", failed)] {
                    reporter.report(BenchReporter.Row(
                        workload: "multiprocess", candidate: candidate, metric: "\(metric)-\(name)", value: Double(n), unit: "writes",
                        baseline: false, min: Double(n), max: Double(n), p90: nil, passes: passes, ratioToBaseline: nil, baselineName: nil))
                }
            }
        }
    }

    static func readLine(_ handle: FileHandle) -> String? {
        var line = Data()
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte[0] == 0x0A { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
    }
}
