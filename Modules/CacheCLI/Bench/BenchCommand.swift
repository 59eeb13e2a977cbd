import ArgumentParser
import CacheCore

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a standard workload (release build) with its same-run baselines.",
        discussion: """
            Workloads: memoize, arrays, disk, multiprocess, async, redis, concurrency, memory, klepto. Each figure is \
            the median of --passes passes, with its min–max spread. concurrency: Zipf reads (and 75% reads / 25% \
            writes) on 1, 2 and the processor count's threads, with the 2-thread scaling; memory: heap bytes per \
            entry from glibc's mallinfo2() (Linux only); klepto: a memoized hit from an LRU front, a directory \
            archive's 50 KB writes and reads against raw files, a SQL archive's small sets and gets against raw SQLite.
            """)

    static let workloads = ["memoize", "arrays", "disk", "multiprocess", "async", "redis", "concurrency", "memory", "klepto"]

    @Argument(help: "The workload: memoize, arrays, disk, multiprocess, async, redis, concurrency, memory, klepto.")
    var workload: String

    @Flag(help: "One JSON object per line.")
    var json = false

    @Option(help: "Value size in bytes for the redis workload (redis-benchmark's -d).")
    var valueSize = 100

    @Option(help: "Operations per thread for the concurrency workload (default \(ConcurrencyBench.defaultOperations)); memoized calls per pass for klepto (default \(MemoizeBench.calls)).")
    var operations: Int?

    @Option(help: "Entries for the memory workload (also each container's bound).")
    var entries = MemoryBench.defaultEntries

    @Option(help: "Passes per figure (at least 5).")
    var passes = 7

    func validate() throws {
        guard Self.workloads.contains(workload) else {
            throw ValidationError("unknown workload '\(workload)'; expected one of: \(Self.workloads.joined(separator: ", "))")
        }
        guard passes >= 5 else { throw ValidationError("--passes must be at least 5 (got \(passes))") }
        if let operations, operations < 1 { throw ValidationError("--operations must be at least 1 (got \(operations))") }
        guard entries >= 1 else { throw ValidationError("--entries must be at least 1 (got \(entries))") }
    }

    func run() throws {
        let reporter = BenchReporter(json: json)
        #if DEBUG
        if !json { print("warning: a debug build; measure with `swift run -c release cachectl bench …`") }
        #endif
        switch workload {
        case "memoize":
            try MemoizeBench.run(passes: passes, reporter: reporter, extraCandidates: MemoizeBench.cacheToolsCandidates() + MemoizeBench.cacheBoxCandidates())
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
        case "concurrency":
            try ConcurrencyBench.run(passes: passes, operations: operations ?? ConcurrencyBench.defaultOperations, reporter: reporter)
        case "memory":
            try MemoryBench.run(passes: passes, entries: entries, reporter: reporter)
        case "klepto":
            try KleptoBench.run(passes: passes, calls: operations ?? MemoizeBench.calls, reporter: reporter)
        default:
            break
        }
    }
}
