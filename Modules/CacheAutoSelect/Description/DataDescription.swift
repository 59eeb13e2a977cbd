import CacheCore

/// Everything known about a cached function's results: their type, the measured size
/// of a sample when there is one, whether the function is `async`, and the user's hints.
public struct DataDescription: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The result type.
    public var type: TypeDescriptor
    /// A kind of data that overrides the one derived from ``type`` (presets set it).
    public var declaredCategory: CacheDataCategory?
    /// The size in bytes of a sample result, measured or declared.
    public var sampleSize: Int?
    /// How ``sampleSize`` was obtained.
    public var sizeSource: CacheSizeEstimate.Method?
    public var execution: CacheExecution
    public var hints: CacheHints

    public init(
        type: TypeDescriptor, category: CacheDataCategory? = nil, size: Int? = nil,
        execution: CacheExecution = .sync, hints: CacheHints = .none
    ) {
        self.type = type
        self.declaredCategory = category
        self.sampleSize = size
        self.sizeSource = size == nil ? nil : .declared
        self.execution = execution
        self.hints = hints
    }

    /// Describes results of type `T` (no sample yet).
    public init<T>(
        _ type: T.Type, category: CacheDataCategory? = nil, size: Int? = nil,
        execution: CacheExecution = .sync, hints: CacheHints = .none
    ) {
        self.init(type: TypeDescriptor(type), category: category, size: size, execution: execution, hints: hints)
    }

    /// Describes results like `sample`, measuring its size with `estimator`.
    public init<T>(
        sample: T, category: CacheDataCategory? = nil, execution: CacheExecution = .sync,
        hints: CacheHints = .none, estimator: CacheSizeEstimator = .standard
    ) {
        self.init(type: TypeDescriptor(T.self), category: category, execution: execution, hints: hints)
        observe(sample, estimator: estimator)
    }

    /// Records the measured size of a result.
    public mutating func observe<T>(_ sample: T, estimator: CacheSizeEstimator = .standard) {
        let estimate = estimator.estimate(sample)
        sampleSize = estimate.bytes
        sizeSource = estimate.method
    }

    /// The kind of data: declared, else derived from the type.
    public var category: CacheDataCategory { declaredCategory ?? type.category }

    /// The size class: from the sample size, else the declared hint, else a fixed-size type's.
    public var sizeClass: CacheSizeClass? {
        if let sampleSize { return CacheSizeClass(bytes: sampleSize) }
        if let declared = hints.sizeClass { return declared }
        return type.fixedSize.map { CacheSizeClass(bytes: $0) }
    }

    /// Small enough, and short-lived enough, for a memory engine: under 1 MiB (or of
    /// unknown size) and not asked to outlive the process.
    public var suitsMemory: Bool {
        let sizeFits = sizeClass.map { $0 <= .medium } ?? true
        let lifeFits = hints.persistence == nil || hints.persistence == .ephemeral
        return sizeFits && lifeFits && category != .model
    }

    /// The eviction policy the access hint asks for, LRU without one.
    public var preferredPolicy: EvictionPolicy { hints.access?.evictionPolicy ?? .lru }

    public var description: String {
        var parts = ["type=\(type)", "category=\(category)"]
        if let sampleSize { parts.append("size=\(CacheSizeFormat.bytes(sampleSize))") }
        if let sizeClass { parts.append("size-class=\(sizeClass)") }
        if execution == .async { parts.append("async") }
        parts += hints.summary
        return parts.joined(separator: " ")
    }
}
