import ArgumentParser
import CacheBox
import CacheKlepto
import CacheAsync
import CacheAutoSelect
import CacheCore
import CacheDisk
import CacheFunctools
import CacheJoblib
import CacheRedis
import CacheTools

/// `cachectl explain`: how CacheAutoSelect's strategy chain decides for a described
/// kind of data, step by step; or (`--table`) the built-in analyzers' table.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain which backend CacheAutoSelect picks for a kind of data, and why.",
        discussion: """
            Example: cachectl explain --type '[Double]' --size 8MB --persistence long-term
            By default the engines linked into cachectl are the registered ones; --linked \
            CacheTools,CacheDisk (or --linked all) asks "what if exactly these were linked".
            --table --markdown prints the README's "Choosing a backend" section.
            """)

    @Option(help: "The result type in Swift syntax: Int, String, Data, '[Double]', '[String: Int]', 'Set<String>', a struct name.")
    var type: String?

    @Option(help: "The size of one result: 8MB, 200KB, 5MiB, 4096.")
    var size: String?

    @Option(help: "ephemeral, session or long-term.")
    var persistence: CachePersistence?

    @Option(help: "single-thread, multi-thread, multi-process or distributed.")
    var concurrency: CacheConcurrency?

    @Option(help: "recency, frequency, random or write-heavy.")
    var access: CacheAccessPattern?

    @Option(name: .customLong("size-class"), help: "small, medium, large or huge (when the size is not known).")
    var sizeClass: CacheSizeClass?

    @Option(help: "Override the kind of data: \(CacheDataCategory.allCases.map(\.rawValue).joined(separator: ", ")).")
    var category: CacheDataCategory?

    @Flag(name: .customLong("async"), help: "The function is async.")
    var isAsync = false

    @Option(help: "Comma-separated engine ids taken as linked, or 'all' for every engine that exists.")
    var linked: String?

    @Flag(help: "Print JSON (with a \"chosen\" field).")
    var json = false

    @Flag(help: "Print the built-in analyzers' table instead of one decision.")
    var table = false

    @Flag(help: "With --table: the README section in Markdown.")
    var markdown = false

    func validate() throws {
        if !table, type == nil { throw ValidationError("--type is required (or use --table)") }
        if markdown, !table { throw ValidationError("--markdown goes with --table") }
    }

    func run() throws {
        if table {
            print(markdown ? ChoosingABackendDocument.markdown() : ExplainCommand.plainTable())
            return
        }
        let description = try makeDescription()
        let explanation = StrategyChain.shared.explain(description, availability: try availability())
        print(json ? try explanation.json() : explanation.report)
    }

    func makeDescription() throws -> DataDescription {
        let descriptor: TypeDescriptor
        do {
            descriptor = try TypeDescriptor(parsing: type ?? "", category: category)
        } catch {
            throw ValidationError(error.description)
        }
        var bytes: Int?
        if let size {
            do { bytes = try CacheSizeFormat.parse(size) } catch { throw ValidationError(error.description) }
        }
        return DataDescription(
            type: descriptor, category: category, size: bytes, execution: isAsync ? .async : .sync,
            hints: CacheHints(persistence: persistence, concurrency: concurrency, access: access, sizeClass: sizeClass))
    }

    func availability() throws -> any EngineAvailability {
        guard let linked else { return ExplainCommand.linkedRegistry() }
        if linked == "all" { return HypotheticalEngines.allBuilt }
        let ids = linked.split(separator: ",").map { CacheEngineID(String($0).trimmingSet(" ")) }.filter { !$0.rawValue.isEmpty }
        return HypotheticalEngines(ids)
    }

    /// Every engine cachectl links, registered. Registering has no side effects: no
    /// directory is created and no connection opened until a store is made.
    static func linkedRegistry() -> CacheRegistry {
        let registry = CacheRegistry()
        CacheFunctoolsEngine.register(in: registry)
        CacheToolsEngine.register(in: registry)
        CacheDiskEngine.register(in: registry)
        CacheJoblibEngine.register(in: registry)
        CacheAsyncEngine.register(in: registry)
        CacheRedisEngine.register(in: registry)
        CacheBoxEngine.register(in: registry)
        CacheKleptoEngine.register(in: registry)
        return registry
    }

    static func plainTable() -> String {
        var lines: [String] = []
        for analyzer in BuiltinAnalyzers.documented.sorted(by: { $0.priority > $1.priority }) {
            lines.append("\(analyzer.priority) \(analyzer.name) (\(analyzer.kind.rawValue): \(analyzer.characteristics)) — \(analyzer.summary)")
            for rule in analyzer.rules {
                let alternatives = rule.alternatives.isEmpty ? "" : ", else " + rule.alternatives.map(\.rawValue).joined(separator: ", ")
                let standIns = rule.capabilities.isEmpty ? "" : ", else any engine with " + rule.capabilities.names.joined(separator: " + ")
                lines.append("    \(rule.condition) → \(rule.engine)\(alternatives)\(standIns)\(rule.configuration.map { " [\($0)]" } ?? "")")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension CachePersistence: ExpressibleByArgument {}
extension CacheConcurrency: ExpressibleByArgument {}
extension CacheAccessPattern: ExpressibleByArgument {}
extension CacheSizeClass: ExpressibleByArgument {}
extension CacheDataCategory: ExpressibleByArgument {}

extension String {
    func trimmingSet(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
