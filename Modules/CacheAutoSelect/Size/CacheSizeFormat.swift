/// Byte counts for humans and from humans.
public enum CacheSizeFormat {
    /// `"8 MiB"`, `"200 KiB"`, `"512 B"` (binary units, at most one decimal).
    public static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        var unit = 0
        while abs(value) >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(n) B" }
        let rounded = (value * 10).rounded() / 10
        let text = rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        return "\(text) \(units[unit])"
    }

    /// Parses `"8MB"`, `"200 KB"`, `"5MiB"`, `"1.5GB"`, `"4096"`: KB/MB/GB are
    /// decimal (1000), KiB/MiB/GiB binary (1024), a bare number is bytes.
    public static func parse(_ text: String) throws(CacheSizeParseError) -> Int {
        let trimmed = text.trimmingSpaces()
        var numberEnd = trimmed.startIndex
        while numberEnd < trimmed.endIndex, trimmed[numberEnd].isNumber || trimmed[numberEnd] == "." {
            numberEnd = trimmed.index(after: numberEnd)
        }
        guard let number = Double(trimmed[..<numberEnd]), number >= 0, number.isFinite else {
            throw CacheSizeParseError(text: text, reason: "expected a non-negative number first")
        }
        let unit = trimmed[numberEnd...].trimmingSpaces().lowercased()
        let multipliers: [String: Double] = [
            "": 1, "b": 1,
            "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
            "kib": 1024, "mib": 1_048_576, "gib": 1_073_741_824, "tib": 1_099_511_627_776,
        ]
        guard let multiplier = multipliers[unit] else {
            throw CacheSizeParseError(text: text, reason: "unknown unit '\(unit)'; use B, KB, MB, GB, KiB, MiB or GiB")
        }
        let bytes = (number * multiplier).rounded()
        guard bytes < Double(Int.max) else { throw CacheSizeParseError(text: text, reason: "too large") }
        return Int(bytes)
    }
}

/// A size that could not be parsed.
public struct CacheSizeParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "cannot parse size '\(text)': \(reason)" }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
