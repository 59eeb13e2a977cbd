import ArgumentParser
import CacheCore

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a standard workload (release build) with its same-run baselines.",
        discussion: "Workloads: memoize, arrays, disk, multiprocess, async, redis. Each figure is the median of --passes passes, with its min–max spread.")

    @Argument(help: "The workload: memoize, arrays, disk, multiprocess, async, redis.")
    var workload: String

    @Flag(help: "One JSON object per line.")
    var json = false

    @Option(help: "Value size in bytes for the redis workload (redis-benchmark's -d).")
    var valueSize = 100

    @Option(help: "Passes per figure (at least 5).")
    var passes = 7

    func validate() throws {
        guard ["memoize", "arrays", "disk", "multiprocess", "async", "redis"].contains(workload) else {
            throw ValidationError("unknown workload '\(workload)'; expected one of: memoize, arrays, disk, multiprocess, async, redis")
        }
        guard passes >= 5 else { throw ValidationError("--passes must be at least 5 (got \(passes))") }
    }

    func run() throws {
        let reporter = BenchReporter(json: json)
        #if DEBUG
        if !json { print("warning: a debug build; measure with `swift run -c release cachectl bench …`") }
        #endif
        switch workload {
        case "memoize":
            try MemoizeBench.run(passes: passes, reporter: reporter, extraCandidates: MemoizeBench.cacheToolsCandidates())
        case "arrays":
            try JoblibArraysBench.run(passes: passes, reporter: reporter)
        case "disk":
            try DiskBench.run(passes: passes, reporter: reporter)
        case "multiprocess":
            try MultiprocessBench.run(passes: passes, reporter: reporter, json: json)
        case "async":
            try AsyncBench.run(passes: passes, reporter: reporter)
        case "redis":
            try RedisBench.run(passes: passes, reporter: reporter, valueSize: valueSize)
        default:
            break
        }
    }
}
