import ArgumentParser
import CacheCore
import CacheTools
import Foundation

/// `cachectl replay`: a policy simulator that drives each CacheTools policy's own
/// code over an access trace (raw little-endian UInt32 keys). A miss inserts the key.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay an access trace through cache policies and report hit ratios.",
        discussion: """
            TRACE is raw little-endian UInt32 keys, one per access, no header. Policies: \
            \(ReplayPolicy.allCases.map(\.rawValue).joined(separator: ", ")), box (opt = Belady's offline optimum; \
            box = CacheBox's adaptive W-TinyLFU policy core). \
            --capacity takes percentages of the distinct keys (rounded half to even) or entry counts. \
            --svg FILE also draws hit ratio against capacity, one curve per policy, with opt added as \
            the ceiling when it is not listed.
            """)

    @Argument(help: "The trace file.")
    var trace: String

    @Option(help: "Comma-separated policies.")
    var policy = "lru,lfu,fifo"

    @Option(help: "Comma-separated capacities: 1%,5%,10% or entry counts.")
    var capacity = "1%,5%,10%"

    @Option(help: "Timed passes per policy and capacity (the speed is their median).")
    var passes = 5

    @Flag(help: "One JSON object per line.")
    var json = false

    @Option(help: "Also write hit ratio against capacity as an SVG chart to this file (adds opt as the ceiling).")
    var svg: String?

    func run() throws {
        var policies: [ReplayTarget]
        let keys: [UInt32]
        do {
            policies = try ReplayTarget.parseList(policy)
            if svg != nil, !policies.contains(where: { $0.rawValue == ReplayPolicy.opt.rawValue }) { policies.append(.tools(.opt)) }
            keys = try SyntheticTraces.readTraceFile(trace)
        } catch {
            Self.fail("\(error)")
        }
        let distinct = Set(keys).count
        let capacities: [Int]
        do {
            capacities = try ReplayCapacity.parseList(capacity, distinct: distinct)
        } catch {
            Self.fail("\(error)")
        }
        let name = URL(fileURLWithPath: trace).deletingPathExtension().lastPathComponent
        let progress = isatty(STDERR_FILENO) == 1 && !json
        if !json {
            print("trace \(name): \(keys.count) accesses, \(distinct) distinct keys")
            print("policy  capacity   hit ratio   accesses/s")
        }
        var chart = ReplayChart(trace: name, accesses: keys.count, distinctKeys: distinct, series: [])
        for policy in policies {
            chart.series.append(ReplayChart.Series(policy: policy.rawValue, points: []))
            for cap in capacities {
                if progress { FileHandle.standardError.write(Data("\r  replaying \(policy.rawValue) at \(cap)…   ".utf8)) }
                let result = try policy.run(trace: keys, capacity: cap, passes: max(1, passes))
                if progress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                chart.series[chart.series.count - 1].points.append((cap, result.hitRatio))
                if json {
                    let ratio = String(format: "%.6f", result.hitRatio)
                    let speed = result.accessesPerSecond.map { String(format: "%.0f", $0) } ?? "null"
                    print(#"{"workload": "replay", "trace": "\#(name)", "policy": "\#(policy.rawValue)", "capacity": \#(cap), "hitRatio": \#(ratio), "accessesPerSecond": \#(speed)}"#)
                } else {
                    let speed = result.accessesPerSecond.map { String(format: "%.1f M", $0 / 1e6) } ?? "offline"
                    print("\(policy.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(String(cap).padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(format: "%.6f", result.hitRatio))    \(speed)")
                }
            }
        }
        if let svg {
            do {
                try Data(chart.render().utf8).write(to: URL(fileURLWithPath: svg), options: .atomic)
            } catch {
                Self.fail("cannot write the chart to \(svg): \(error.localizedDescription)")
            }
            if !json { print("chart: \(svg)") }
        }
    }

    /// One clear message on standard error and exit code 2.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("cachectl replay: \(message)\n".utf8))
        Foundation.exit(2)
    }
}
