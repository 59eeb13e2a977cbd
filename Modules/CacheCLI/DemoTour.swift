import CacheAsync
import CacheAutoSelect
import CacheDisk
import CacheJoblib
import CacheRedis
import Foundation
import Synchronization

/// Counts a function's real computations (the demo's proof that a hit computed nothing).
final class DemoCounter: Sendable {
    private let count = Mutex(0)
    func tick() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// A custom Codable result: the selection table's "custom types" row.
struct SalesReport: Codable, Sendable, Equatable {
    var region: String
    var totals: [String: Double]
    var lines: [String]
}

/// The result type of the custom analyzer's step.
struct Thumbnail: Codable, Sendable {
    var width: Int
    var height: Int
    var pixels: [UInt8]
}

/// The tour behind `cachectl demo`: every step is public API a user would call.
struct DemoTour {
    let workspace: DemoWorkspace
    let redisURL: String?
    let narrate: Bool
    /// Every engine cachectl links, registered (as `cachectl explain` sees them).
    let registry = ExplainCommand.linkedRegistry()
    /// A chain of its own, so the custom analyzer changes this tour's decisions only.
    let chain = StrategyChain()

    var directory: String { workspace.directory }

    func say(_ line: String = "") {
        if narrate { print(line) }
    }

    func run() throws -> DemoReport {
        var report = DemoReport(directory: directory, run: workspace.run)
        say("swift-cache demo — the data chooses the backend")
        say("================================================")
        say("cache directory: \(directory)  (run \(workspace.run) here; `--reset` starts over)")
        say("engines linked: \(registry.registeredIDs.map(\.rawValue).sorted().joined(separator: ", "))\n")

        report.functions.append(try smallScalars())
        report.functions.append(try numericArray())
        report.functions.append(try binaryBlob())
        report.functions.append(try customCodable())
        report.functions.append(try asyncFunction())
        report.functions.append(contentsOf: try hybrid())
        let (analyzer, thumbnails) = try customAnalyzer()
        report.customAnalyzer = analyzer
        report.functions.append(thumbnails)
        if let redisURL { report.functions.append(try shared(redisURL)) }

        let persisted = report.functions.filter(\.persisted)
        report.servedFromStorage = persisted.allSatisfy { $0.computations == 0 }
        report.recomputedInMemory = report.functions.filter { !$0.persisted }.map(\.name)
        say("Summary")
        if report.servedFromStorage {
            say("  served from storage: \(persisted.map(\.name).joined(separator: ", ")) computed nothing this run.")
        } else {
            say("  first run: \(persisted.map(\.name).joined(separator: ", ")) computed and stored their results.")
            say("  run `cachectl demo` again: they are served from disk and arrays, with 0 computations.")
        }
        say("  memory-only (recomputed in every process): \(report.recomputedInMemory.joined(separator: ", ")).")
        say("\nNext: `cachectl explain --type '[Double]' --size 8MB --persistence long-term`, `cachectl stats \(directory)`, `cachectl demo --basics`.")
        return report
    }

    /// Prints one step and returns its facts.
    func step(
        _ number: String, _ title: String, name: String, explanation: SelectionExplanation, engine: CacheEngineID,
        persisted: Bool, calls: Int, counter: DemoCounter, note: String? = nil, hitMicroseconds: Double? = nil
    ) -> DemoReport.Function {
        let reason = explanation.reason ?? "the default memory engine"
        say(number.isEmpty ? title : "\(number). \(title)")
        say("   \(name) → \(engine): \(reason)")
        if let note { say("   \(note)") }
        say("   \(calls) calls, \(counter.value) computed\(persisted ? "" : " (memory only)")\n")
        return DemoReport.Function(
            name: name, engine: engine.rawValue, reason: reason, persisted: persisted, calls: calls,
            computations: counter.value, note: note, hitMicroseconds: hitMicroseconds)
    }

    // MARK: The steps

    func smallScalars() throws -> DemoReport.Function {
        let counter = DemoCounter()
        let square = try memoize(name: "demo.square", registry: registry, chain: chain, directory: directory) { (n: Int) -> Int in
            counter.tick()
            return n * n
        }
        for _ in 0..<2 { for n in 0..<10 { _ = try square(n) } }
        return step("1", "Small scalars stay in a fast memory cache:", name: "demo.square", explanation: square.explanation,
                    engine: square.engine, persisted: false, calls: 20, counter: counter)
    }

    func numericArray() throws -> DemoReport.Function {
        let counter = DemoCounter()
        let count = 1 << 20   // 1,048,576 doubles: 8 MiB
        let spectrum = try memoize(
            name: "demo.spectrum", version: "1", size: count * 8, hints: CacheHints(persistence: .longTerm),
            registry: registry, chain: chain, directory: directory
        ) { (n: Int) -> [Double] in
            counter.tick()
            return (0..<n).map { sin(Double($0) * 0.001) }
        }
        _ = try spectrum(count)
        var times: [Double] = []
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            let values = try spectrum(count)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000)
            precondition(values.count == count)
        }
        let hit = times.sorted()[1]
        return step("2", "An 8 MiB [Double] that must survive restarts goes to memory-mapped .npy files:",
                    name: "demo.spectrum", explanation: spectrum.explanation, engine: spectrum.engine, persisted: true,
                    calls: 4, counter: counter, note: String(format: "a hit maps the file back: %.0f µs for 8 MiB", hit),
                    hitMicroseconds: hit)
    }

    func binaryBlob() throws -> DemoReport.Function {
        let counter = DemoCounter()
        let render = try memoize(
            name: "demo.render", version: "1", size: 2 << 20, hints: CacheHints(persistence: .longTerm),
            registry: registry, chain: chain, directory: directory
        ) { (page: Int) -> Data in
            counter.tick()
            return Data((0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ page) })
        }
        for _ in 0..<2 { _ = try render(7) }
        return step("3", "A 2 MiB Data blob goes to the SQLite-indexed disk cache:", name: "demo.render",
                    explanation: render.explanation, engine: render.engine, persisted: true, calls: 2, counter: counter)
    }

    func customCodable() throws -> DemoReport.Function {
        let counter = DemoCounter()
        let sales = try memoize(
            name: "demo.sales", version: "1", hints: CacheHints(persistence: .session),
            registry: registry, chain: chain, directory: directory
        ) { (region: String) -> SalesReport in
            counter.tick()
            return SalesReport(region: region, totals: ["Q1": 120.5, "Q2": 98.25], lines: ["widgets", "gadgets"])
        }
        for _ in 0..<2 { for region in ["north", "south"] { _ = try sales(region) } }
        let missing = sales.explanation.missingEngines
        let note = missing.contains(KnownEngines.cacheKlepto)
            ? "CacheKlepto, recommended first for custom types, is not linked into this cachectl: its fallback \(sales.engine) serves them"
            : nil
        return step("4", "A custom Codable type for the session:", name: "demo.sales", explanation: sales.explanation,
                    engine: sales.engine, persisted: true, calls: 4, counter: counter, note: note)
    }

    func asyncFunction() throws -> DemoReport.Function {
        let counter = DemoCounter()
        let profile = try memoize(
            name: "demo.profile", version: "1", hints: CacheHints(persistence: .longTerm),
            registry: registry, chain: chain, directory: directory
        ) { (id: Int) async throws -> String in
            counter.tick()
            try await Task.sleep(for: .milliseconds(20))   // the slow call being cached
            return "user \(id)"
        }
        try runDetachedBench {
            for _ in 0..<2 {
                try await withThrowingTaskGroup(of: String.self) { group in
                    for id in 1...3 { group.addTask { try await profile(id) } }
                    for try await _ in group {}
                }
            }
        }
        return step("5", "An async function gets an async store (one load per key across tasks and processes):",
                    name: "demo.profile", explanation: profile.explanation, engine: profile.engine, persisted: true,
                    calls: 6, counter: counter)
    }

    /// Small results stay in memory, large ones go to disk — decided per result.
    func hybrid() throws -> [DemoReport.Function] {
        let small = DemoCounter(), large = DemoCounter()
        let tile = try hybridMemoize(
            name: "demo.tile", version: "1", threshold: 64 << 10, persistence: .longTerm,
            registry: registry, chain: chain, directory: directory
        ) { (zoom: Int) -> [UInt8] in
            let bytes = zoom == 1 ? 1 << 10 : 1 << 20
            (bytes < 64 << 10 ? small : large).tick()
            return [UInt8](repeating: UInt8(zoom), count: bytes)
        }
        for _ in 0..<2 { for zoom in [1, 2] { _ = try tile(zoom) } }
        let tiers = tile.store.tierStats
        let memoryExplanation = tile.store.memoryExplanation, diskExplanation = tile.store.diskExplanation
        say("6. A hybrid function decides per result (threshold 64 KiB):")
        let smallFacts = DemoReport.Function(
            name: "demo.tile(1 KiB)", engine: memoryExplanation?.chosen?.engine.rawValue ?? "memory",
            reason: memoryExplanation?.reason ?? "below the threshold", persisted: false, calls: 2,
            computations: small.value, note: "stored in memory: \(tiers.storedInMemory)")
        let largeFacts = DemoReport.Function(
            name: "demo.tile(1 MiB)", engine: diskExplanation?.chosen?.engine.rawValue ?? "disk",
            reason: diskExplanation?.reason ?? "at or above the threshold", persisted: true, calls: 2,
            computations: large.value, note: "stored on disk: \(tiers.storedOnDisk), disk hits: \(tiers.diskHits)")
        for facts in [smallFacts, largeFacts] {
            say("   \(facts.name) → \(facts.engine): \(facts.reason)")
            say("   \(facts.calls) calls, \(facts.computations) computed\(facts.persisted ? "" : " (memory only)")")
        }
        say()
        return [smallFacts, largeFacts]
    }

    /// A rule of your own, in a few lines, changes one decision.
    func customAnalyzer() throws -> (DemoReport.CustomAnalyzer, DemoReport.Function) {
        let size = 64 * 64 + 16   // one 64×64 thumbnail: small, so the built-in rules keep it in memory
        let description = DataDescription(Thumbnail.self, size: size)
        let before = chain.explain(description, availability: registry)
        let reason = "thumbnails → disk with a 50 MB limit"
        chain.register(ClosureAnalyzer(name: "thumbnails-to-disk", priority: 1_000) { data in
            guard case .named(let name, _, _) = data.type, name.hasSuffix("Thumbnail") else { return nil }
            return Recommendation(
                engine: CacheDiskEngine.id, configuration: try CacheConfiguration(options: ["sizeLimit": "\(50_000_000)"]),
                reason: reason, capabilities: [.persistent])
        })
        let counter = DemoCounter()
        let thumbnail = try memoize(name: "demo.thumbnail", version: "1", size: size, registry: registry, chain: chain, directory: directory) {
            (photo: Int) -> Thumbnail in
            counter.tick()
            return Thumbnail(width: 64, height: 64, pixels: [UInt8](repeating: UInt8(truncatingIfNeeded: photo), count: 64 * 64))
        }
        for _ in 0..<2 { for photo in 1...3 { _ = try thumbnail(photo) } }
        let beforeEngine = before.chosen?.engine.rawValue ?? "none"
        let facts = DemoReport.CustomAnalyzer(
            type: "Thumbnail", before: beforeEngine, after: thumbnail.engine.rawValue, reason: thumbnail.explanation.reason ?? reason)
        say("7. A custom analyzer, registered in a few lines, changes one decision:")
        say("   chain.register(ClosureAnalyzer(name: \"thumbnails-to-disk\", priority: 1_000) { … CacheDisk, sizeLimit 50 MB … })")
        say("   Thumbnail before: \(beforeEngine) (\(before.reason ?? "default"))")
        let function = step("", "   Thumbnail after the rule is registered:", name: "demo.thumbnail", explanation: thumbnail.explanation,
                            engine: thumbnail.engine, persisted: true, calls: 6, counter: counter)
        return (facts, function)
    }

    /// `--redis URL`: a result every process and machine shares.
    func shared(_ url: String) throws -> DemoReport.Function {
        let counter = DemoCounter()
        let rate = try memoize(
            name: "demo.rate", version: "1", hints: CacheHints(concurrency: .distributed),
            registry: registry, chain: chain, directory: directory, settings: [.redis(url: url)]
        ) { (currency: String) -> Double in
            counter.tick()
            return currency == "EUR" ? 1.08 : 1.27
        }
        for _ in 0..<2 { for currency in ["EUR", "GBP"] { _ = try rate(currency) } }
        return step("8", "A result shared by every process and machine goes to Redis:", name: "demo.rate",
                    explanation: rate.explanation, engine: rate.engine, persisted: true, calls: 4, counter: counter)
    }
}
