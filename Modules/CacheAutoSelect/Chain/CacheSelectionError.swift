import CacheCore

/// No registered engine can keep what the hints ask for (persistence across restarts,
/// sharing between processes or machines): every engine that would has refused its
/// configuration or is not linked. Thrown at construction, so a persistent cache is never
/// silently replaced by memory; pass `allowMemoryFallback: true` to accept memory instead.
public struct CacheSelectionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An engine that was tried and refused, with its own error's words.
    public struct Refusal: Sendable, Hashable, CustomStringConvertible {
        public var engine: CacheEngineID
        public var reason: String
        public var description: String { "\(engine): \(reason)" }
    }

    /// The capabilities the hints require.
    public var required: CacheStoreCapabilities
    /// The hints that require them, e.g. `["persistence=long-term"]`.
    public var requiredBy: [String]
    /// Engines with the capabilities that refused their configuration, in the order tried.
    public var refusals: [Refusal]
    /// Engines the chain recommended that are not registered.
    public var notRegistered: [CacheEngineID]
    /// The last decision, step by step.
    public var explanation: SelectionExplanation

    public var description: String {
        var parts = refusals.map { "\($0.engine) refused: \($0.reason)" }
        if !notRegistered.isEmpty { parts.append("not registered: " + notRegistered.map(\.rawValue).joined(separator: ", ")) }
        if parts.isEmpty { parts.append("no registered engine has them") }
        return "no cache engine can provide \(required) for \(requiredBy.joined(separator: ", ")): "
            + parts.joined(separator: "; ")
            + " (pass allowMemoryFallback: true to keep results in memory instead)"
    }
}
