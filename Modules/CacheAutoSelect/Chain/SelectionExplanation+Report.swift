import CacheCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension SelectionExplanation: CustomStringConvertible {
    /// The decision path, readably: the data, each analyzer asked in order with its
    /// answer and the engines it led to, the fallback taken and the choice.
    public var report: String {
        var lines: [String] = []
        lines.append("data: \(data)")
        lines.append("registered: " + (registered.isEmpty ? "(none)" : registered.map(\.rawValue).joined(separator: ", ")))
        if let storeKind { lines.append("store needed: \(storeKind.rawValue)") }
        lines.append("analyzers asked, highest priority first:")
        for (i, step) in steps.enumerated() {
            let head = "  \(i + 1). \(step.analyzer) [\(step.priority)]"
            switch step.outcome {
            case .passed: lines.append(head + ": passed")
            case .failed: lines.append(head + ": FAILED, skipped: \(step.error ?? "")")
            case .recommended: lines.append(head + ": recommends \(step.engines.first?.engine.rawValue ?? "?") — \(step.reason ?? "")")
            }
            for e in step.engines { lines.append("       \(e.engine) (\(e.role.rawValue)): \(e.verdict == .chosen ? "CHOSEN" : e.detail)") }
        }
        if !defaults.isEmpty {
            lines.append("  default memory engines:")
            for e in defaults { lines.append("       \(e.engine): \(e.verdict == .chosen ? "CHOSEN" : e.detail)") }
        }
        if let chosen {
            lines.append("chosen: \(chosen) by \(chosenBy ?? "?")"
                + (matchedCapabilities.map { ", standing in for the engines the rule names: it declares \($0)" } ?? ""))
        } else {
            lines.append("chosen: nothing — no recommended, alternative or default engine is registered")
        }
        if let fallback { lines.append("fallback: \(fallback)") }
        return lines.joined(separator: "\n")
    }

    public var description: String { report }

    /// The explanation as JSON (sorted keys); `"chosen"` is always present (`null` when nothing was).
    public func json(pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    enum CodingKeys: String, CodingKey {
        case data, registered, storeKind, steps, defaults, chosen, chosenBy, reason, fallback
        case missingEngines, skipped, requiredCapabilities, requirementsWaived, matchedCapabilities
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        data = try c.decode(DataDescription.self, forKey: .data)
        registered = try c.decode([CacheEngineID].self, forKey: .registered)
        storeKind = try c.decodeIfPresent(CacheStoreKind.self, forKey: .storeKind)
        steps = try c.decode([AnalyzerStep].self, forKey: .steps)
        defaults = try c.decode([EngineConsideration].self, forKey: .defaults)
        chosen = try c.decodeIfPresent(EngineChoice.self, forKey: .chosen)
        chosenBy = try c.decodeIfPresent(String.self, forKey: .chosenBy)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        fallback = try c.decodeIfPresent(String.self, forKey: .fallback)
        requiredCapabilities = try c.decodeIfPresent(CacheStoreCapabilities.self, forKey: .requiredCapabilities) ?? []
        requirementsWaived = try c.decodeIfPresent(Bool.self, forKey: .requirementsWaived) ?? false
        matchedCapabilities = try c.decodeIfPresent(CacheStoreCapabilities.self, forKey: .matchedCapabilities)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(data, forKey: .data)
        try c.encode(registered, forKey: .registered)
        try c.encodeIfPresent(storeKind, forKey: .storeKind)
        try c.encode(steps, forKey: .steps)
        try c.encode(defaults, forKey: .defaults)
        try c.encode(chosen, forKey: .chosen)
        try c.encode(chosenBy, forKey: .chosenBy)
        try c.encode(reason, forKey: .reason)
        try c.encode(fallback, forKey: .fallback)
        try c.encode(missingEngines, forKey: .missingEngines)
        try c.encode(skipped, forKey: .skipped)
        try c.encode(requiredCapabilities, forKey: .requiredCapabilities)
        try c.encode(requirementsWaived, forKey: .requirementsWaived)
        try c.encode(matchedCapabilities, forKey: .matchedCapabilities)
    }
}
