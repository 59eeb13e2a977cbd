import Foundation

/// Measures, summarizes and prints benchmark rows: each figure is the median of several
/// passes, printed with its min–max spread and beside its same-run baseline; `--json`
/// prints one JSON object per line. Workloads that vary a setting per row (the thread
/// count) or whose rows depend on a setup (sizes, key distribution) fill `threads` and
/// `setup`; both are omitted from the JSON when nil, and the text form prints the setup
/// once, through ``note(_:_:)``.
struct BenchReporter {
    let json: Bool

    struct Row: Encodable {
        var workload: String
        var candidate: String
        var metric: String
        var value: Double
        var unit: String
        var baseline: Bool
        var min: Double
        var max: Double
        var p90: Double?
        var passes: Int
        var ratioToBaseline: Double?
        var baselineName: String?
        var threads: Int? = nil
        var setup: String? = nil
    }

    /// A line describing a workload's setup, in the text form only (JSON rows carry it as `setup`).
    func note(_ workload: String, _ text: String) {
        if !json {
            print("\(workload): \(text)")
            fflush(nil)
        }
    }

    func report(_ row: Row) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            if let data = try? encoder.encode(row), let text = String(data: data, encoding: .utf8) { print(text) }
        } else {
            let metric = row.threads.map { "\(row.metric) \($0)t" } ?? row.metric
            var line = "\(row.workload) \(metric) \(Self.column(row.candidate)) "
                + "\(format(row.value)) \(row.unit)  [\(format(row.min))–\(format(row.max))]"
            if let p90 = row.p90 { line += " p90 \(format(p90))" }
            if let ratio = row.ratioToBaseline, let name = row.baselineName {
                line += String(format: "  %.2f× %@", ratio, name)
            }
            if row.baseline { line += "  (baseline)" }
            print(line)
        }
        fflush(nil)
    }

    /// The candidate's name padded to a column; a longer name is printed whole (never cut).
    static func column(_ name: String) -> String {
        name.count >= 40 ? name : name.padding(toLength: 40, withPad: " ", startingAt: 0)
    }

    func format(_ v: Double) -> String {
        if v >= 1000 { return String(format: "%.0f", v) }
        if v >= 10 { return String(format: "%.1f", v) }
        if v >= 1 { return String(format: "%.2f", v) }
        return String(format: "%.4f", v)
    }
}

extension BenchReporter.Row {
    /// The row of `s`'s median and spread: beside `baseline` (the ratio of the medians) when
    /// one is given; a baseline row itself when neither `baseline` nor `baselineName` is.
    static func figure(_ workload: String, _ candidate: String, _ metric: String, _ s: Samples, unit: String,
                       baseline: Samples?, baselineName: String?) -> Self {
        Self(workload: workload, candidate: candidate, metric: metric, value: s.median, unit: unit,
             baseline: baseline == nil && baselineName == nil, min: s.min, max: s.max, p90: nil, passes: s.values.count,
             ratioToBaseline: baseline.map { s.median / $0.median }, baselineName: baselineName)
    }
}

/// Summary statistics of a set of passes.
struct Samples {
    var values: [Double]
    var sorted: [Double] { values.sorted() }
    var median: Double {
        let s = sorted
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    var min: Double { values.min() ?? .nan }
    var max: Double { values.max() ?? .nan }
    /// Operations per second of passes that each did `operations` in the given nanoseconds.
    static func rates(_ nanoseconds: [Double], operations: Int) -> Samples {
        Samples(values: nanoseconds.map { Double(operations) / ($0 / 1e9) })
    }

    var p90: Double {
        let s = sorted
        guard !s.isEmpty else { return .nan }
        return s[Swift.min(s.count - 1, Int((Double(s.count) * 0.9).rounded(.up)) - 1)]
    }
}

/// Monotonic nanoseconds.
@inline(__always)
func nowNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Runs `body` `passes` times and returns each pass's duration in nanoseconds.
func measurePasses(_ passes: Int, _ body: () throws -> Void) rethrows -> [Double] {
    var out: [Double] = []
    for _ in 0..<passes {
        let start = nowNanoseconds()
        try body()
        out.append(Double(nowNanoseconds() - start))
    }
    return out
}

/// Keeps a value alive so the optimizer cannot delete the work that made it.
@inline(never)
func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }
