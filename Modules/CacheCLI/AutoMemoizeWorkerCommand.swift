import ArgumentParser
import CacheAutoSelect
import CacheCore
import CacheDisk
import CacheJoblib
import CacheTools
import Foundation
import Synchronization

/// `cachectl auto-worker …` (hidden): the child process of the auto-selection tests. It
/// auto-memoizes one function over a cache directory, calls it for keys 0..<count, and
/// prints one JSON line: how many times the function body ran, the tiers' engines and
/// the function's counters — what a second process needs to show it was served from storage.
struct AutoMemoizeWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auto-worker", abstract: "Child process for auto-selection tests.", shouldDisplay: false)

    @Argument(help: "long-term-ints (Int → Int, persistence long-term) | growing-strings (String results of 2 MB, no hints)")
    var mode: String

    @Argument(help: "The cache directory (default: the package's default root, SWIFT_CACHE_DIR overrides).")
    var directory: String?

    @Option(help: "Keys 0..<count are called.")
    var count: Int = 3

    func run() throws {
        let registry = CacheRegistry()
        CacheToolsEngine.register(in: registry)
        CacheDiskEngine.register(in: registry)
        CacheJoblibEngine.register(in: registry)
        let computations = Mutex(0)
        let json: [String: Any]
        switch mode {
        case "long-term-ints":
            let f = try autoMemoize(name: "worker-ints", hints: .init(persistence: .longTerm), registry: registry,
                                    directory: directory) { (n: Int) -> Int in
                computations.withLock { $0 += 1 }
                return n * 2
            }
            for n in 0..<count { guard try f(n) == n * 2 else { throw ValidationError("wrong value for \(n)") } }
            json = report(f.info, tiers: f.tiers.map(\.choice.engine.rawValue), computations: computations.withLock { $0 })
        case "growing-strings":
            let f = try autoMemoize(name: "worker-strings", registry: registry, directory: directory) { (n: Int) -> String in
                computations.withLock { $0 += 1 }
                return String(repeating: Character(UnicodeScalar(UInt8(97 + n % 26))), count: 2_000_000)
            }
            for n in 0..<count { guard try f(n).count == 2_000_000 else { throw ValidationError("wrong value for \(n)") } }
            json = report(f.info, tiers: f.tiers.map(\.choice.engine.rawValue), computations: computations.withLock { $0 })
        default:
            throw ValidationError("unknown mode \(mode)")
        }
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    func report(_ info: CacheStats, tiers: [String], computations: Int) -> [String: Any] {
        ["computations": computations, "hits": info.hits, "misses": info.misses, "loads": info.loadSuccesses, "tiers": tiers]
    }
}
