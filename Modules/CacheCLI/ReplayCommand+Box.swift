import CacheBox
import CacheCore
import CacheTools

/// A policy `cachectl replay` runs: one of CacheTools' (``ReplayPolicy``) or `box`,
/// CacheBox's adaptive policy core (``BoxReplay``).
enum ReplayTarget: CustomStringConvertible {
    case tools(ReplayPolicy)
    case box

    static let boxName = "box"

    /// Parses a comma-separated list; `box` may appear anywhere, the rest are CacheTools'.
    static func parseList(_ text: String) throws(CacheConfigurationError) -> [ReplayTarget] {
        let names = text.split(separator: ",").map { String($0).filter { $0 != " " }.lowercased() }
        if names.contains(boxName) {
            let others = names.filter { $0 != boxName }
            let tools = others.isEmpty ? [] : try ReplayPolicy.parseList(others.joined(separator: ","))
            var toolsIterator = tools.makeIterator()
            return names.compactMap { $0 == boxName ? .box : toolsIterator.next().map(ReplayTarget.tools) }
        }
        return try ReplayPolicy.parseList(text).map(ReplayTarget.tools)
    }

    var rawValue: String {
        switch self {
        case .tools(let p): p.rawValue
        case .box: Self.boxName
        }
    }

    var description: String { rawValue }

    /// Runs the replay: the hit ratio and the median speed (nil for the offline optimum).
    func run(trace: [UInt32], capacity: Int, passes: Int) throws -> (hitRatio: Double, accessesPerSecond: Double?) {
        switch self {
        case .tools(let p):
            let r = try TraceReplay.run(p, trace: trace, capacity: capacity, passes: passes)
            return (r.hitRatio, r.accessesPerSecond)
        case .box:
            let r = BoxReplay.run(.adaptive, trace: trace, capacity: capacity, passes: passes)
            return (r.hitRatio, r.accessesPerSecond)
        }
    }
}
