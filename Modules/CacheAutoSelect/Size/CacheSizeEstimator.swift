import CacheCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A size in bytes and how it was obtained.
public struct CacheSizeEstimate: Sendable, Hashable, Codable {
    public enum Method: String, Sendable, Hashable, Codable {
        /// Counted exactly (string bytes, data count, array of numbers by stride).
        case exact
        /// Some elements measured, the rest extrapolated (large heterogeneous collections).
        case sampled
        /// The length of the value encoded by the default serializer.
        case codable
        /// The in-memory layout of the value: a lower bound for types with references.
        case layout
        /// Given by the user.
        case declared
    }
    public var bytes: Int
    public var method: Method

    public init(bytes: Int, method: Method) {
        self.bytes = bytes
        self.method = method
    }
}

/// Measures values: ``CacheSizeEstimable`` types say their size; strings count UTF-8
/// bytes, `Data` its bytes, arrays of numbers `count × stride`; arrays, sets and
/// dictionaries of other things add their elements' sizes, measuring at most
/// ``elementSampleLimit`` elements and extrapolating; other `Codable` values are
/// encoded with the default serializer; anything else counts its memory layout.
public struct CacheSizeEstimator: Sendable {
    /// Elements measured per collection before extrapolating.
    public var elementSampleLimit: Int
    /// Nesting depth measured before falling back to layout sizes.
    public var depthLimit: Int

    public init(elementSampleLimit: Int = 64, depthLimit: Int = 8) {
        self.elementSampleLimit = max(1, elementSampleLimit)
        self.depthLimit = max(1, depthLimit)
    }

    public static let standard = CacheSizeEstimator()

    /// The size of `value`.
    /// - Complexity: O(1) for strings' UTF-8 views, data and numeric arrays; at most
    ///   `elementSampleLimit` elements per collection level otherwise; O(n) for the Codable fallback.
    public func estimate<T>(_ value: T) -> CacheSizeEstimate {
        estimate(any: value, depth: 0)
    }

    func estimate(any value: Any, depth: Int) -> CacheSizeEstimate {
        if let known = value as? any CacheSizeEstimable { return .init(bytes: max(0, known.estimatedCacheSize), method: .exact) }
        switch value {
        case let s as String: return .init(bytes: s.utf8.count, method: .exact)
        case let s as Substring: return .init(bytes: s.utf8.count, method: .exact)
        case let d as Data: return .init(bytes: d.count, method: .exact)
        default: break
        }
        let descriptor = TypeDescriptor.describe(type(of: value))
        if case .scalar = descriptor, let fixed = descriptor.fixedSize { return .init(bytes: fixed, method: .exact) }
        if depth < depthLimit, let collection = value as? any _CacheSizedCollection {
            return collection._cacheSize(using: self, depth: depth + 1)
        }
        if let codable = value as? any Codable, let bytes = encodedSize(codable) {
            return .init(bytes: bytes, method: .codable)
        }
        return .init(bytes: layoutSize(value), method: .layout)
    }

    func encodedSize<T: Codable>(_ value: T) -> Int? {
        try? CacheSerializers.default(for: T.self).encode(value).count
    }

    func layoutSize<T>(_ value: T) -> Int { MemoryLayout<T>.size }

    /// Sums the sizes of `count` elements given by `element(i)`, measuring at most
    /// ``elementSampleLimit`` evenly spaced ones.
    func sum(count: Int, depth: Int, element: (Int) -> Any) -> CacheSizeEstimate {
        guard count > 0 else { return .init(bytes: 0, method: .exact) }
        let measured = min(count, elementSampleLimit)
        var total = 0
        var method = CacheSizeEstimate.Method.exact
        for j in 0..<measured {
            let i = measured == count ? j : j * count / measured
            let e = estimate(any: element(i), depth: depth)
            total += e.bytes
            if e.method != .exact { method = e.method }
        }
        if measured < count {
            total = Int((Double(total) / Double(measured) * Double(count)).rounded())
            method = .sampled
        }
        return .init(bytes: total, method: method)
    }
}

/// Collections measured element by element; an implementation detail of ``CacheSizeEstimator``.
public protocol _CacheSizedCollection {
    func _cacheSize(using estimator: CacheSizeEstimator, depth: Int) -> CacheSizeEstimate
}

extension Array: _CacheSizedCollection {
    public func _cacheSize(using estimator: CacheSizeEstimator, depth: Int) -> CacheSizeEstimate {
        if let fixed = TypeDescriptor.describe(Element.self).fixedSize {
            return .init(bytes: count * Swift.max(fixed, MemoryLayout<Element>.stride), method: .exact)
        }
        return estimator.sum(count: count, depth: depth) { self[$0] }
    }
}

extension ContiguousArray: _CacheSizedCollection {
    public func _cacheSize(using estimator: CacheSizeEstimator, depth: Int) -> CacheSizeEstimate {
        Array(self)._cacheSize(using: estimator, depth: depth)
    }
}

extension Set: _CacheSizedCollection {
    public func _cacheSize(using estimator: CacheSizeEstimator, depth: Int) -> CacheSizeEstimate {
        let elements = Array(self.prefix(estimator.elementSampleLimit))
        var e = estimator.sum(count: elements.count, depth: depth) { elements[$0] }
        if elements.count < count {
            e = .init(bytes: elements.isEmpty ? 0 : e.bytes * count / elements.count, method: .sampled)
        }
        return e
    }
}

extension Dictionary: _CacheSizedCollection {
    public func _cacheSize(using estimator: CacheSizeEstimator, depth: Int) -> CacheSizeEstimate {
        let pairs = Array(self.prefix(estimator.elementSampleLimit))
        let keys = estimator.sum(count: pairs.count, depth: depth) { pairs[$0].key }
        let values = estimator.sum(count: pairs.count, depth: depth) { pairs[$0].value }
        var bytes = keys.bytes + values.bytes
        var method: CacheSizeEstimate.Method = keys.method == .exact && values.method == .exact ? .exact : .sampled
        if pairs.count < count, !pairs.isEmpty {
            bytes = bytes * count / pairs.count
            method = .sampled
        }
        return .init(bytes: bytes, method: method)
    }
}

extension Optional: _CacheSizedCollection {
    public func _cacheSize(using estimator: CacheSizeEstimator, depth: Int) -> CacheSizeEstimate {
        switch self {
        case .none: return .init(bytes: 1, method: .exact)
        case .some(let wrapped):
            let e = estimator.estimate(any: wrapped, depth: depth)
            return .init(bytes: e.bytes + 1, method: e.method)
        }
    }
}
