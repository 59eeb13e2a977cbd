import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// A function whose results are kept in a ``CacheStore``.
///
/// - Concurrent callers of one missing key run the function once and share its
///   result (single-flight); no lock is held while the function runs, so it may
///   recurse (see ``init(store:key:options:recursive:)``).
/// - A result that cannot be stored is still returned: the failure is counted in
///   ``info``, logged, and passed to `onStoreFailure`.
/// - A store read that fails (I/O, a value that does not decode) is a miss.
/// - Over a store shared by processes (``ExclusiveLoadingCacheStore``, e.g. CacheDisk's
///   `DiskStore`), one caller on the machine loads a missing key; the others read its result.
/// - With ``MemoizeOptions/beta`` > 0 over an ``EarlyRecomputingCacheStore``, a hit near
///   its expiry is recomputed early by one caller while the others keep the current value.
///
/// Generic over the concrete store so that calls through it are specialized:
/// a hit costs the store's lookup and little more.
public final class Memoized<Store: CacheStore, each Arg>: Sendable {
    public typealias Key = Store.Key
    public typealias Value = Store.Value
    public typealias Body = @Sendable (Memoized, repeat each Arg) throws -> Value

    /// The store holding the results.
    public let store: Store
    /// The name used in logs and errors (and, for persistent stores, the key namespace).
    public let name: String
    @usableFromInline let makeKey: @Sendable (repeat each Arg) throws -> Key
    @usableFromInline let body: Body
    @usableFromInline let options: MemoizeOptions<Value>
    @usableFromInline let flights = SingleFlight<Key, Value>()
    @usableFromInline let counters = Mutex(CacheStats())
    @usableFromInline let errors = Mutex(ErrorMemory<Key>())
    /// The store's cross-process load coordination, when it offers one.
    let exclusive: (any ExclusiveLoadingCacheStore<Key, Value>)?
    /// The store's compute-time recording and early recomputation, when it offers them.
    @usableFromInline let recorder: (any EarlyRecomputingCacheStore<Key, Value>)?
    let earlyRecomputations = Atomic<Int>(0)

    /// Memoizes `recursive`, which receives this memoized function as its first
    /// argument so it can call itself through the cache (e.g. Fibonacci).
    /// - Parameter key: maps the arguments to the store's key.
    public init(
        store: Store, name: String = "memoized", key: @escaping @Sendable (repeat each Arg) throws -> Key,
        options: MemoizeOptions<Value> = .init(), recursive: @escaping Body
    ) throws(CacheConfigurationError) {
        try options.validate(storeCapabilities: store.capabilities)
        let recorder = store.earlyRecomputer
        if options.beta > 0 {
            guard let recorder else {
                throw CacheConfigurationError(setting: "beta", value: "\(options.beta)",
                                              reason: "early recomputation needs a store that records compute times (EarlyRecomputingCacheStore, e.g. DiskStore)")
            }
            if options.ttl == nil && recorder.defaultTimeToLive == nil {
                throw CacheConfigurationError(setting: "beta", value: "\(options.beta)", reason: "early recomputation needs a ttl")
            }
        }
        self.store = store
        self.recorder = recorder
        self.exclusive = store.exclusiveLoader
        self.name = name
        self.makeKey = key
        self.options = options
        self.body = recursive
    }

    /// Memoizes `function`.
    /// - Parameter key: maps the arguments to the store's key.
    @inlinable
    public convenience init(
        store: Store, name: String = "memoized", key: @escaping @Sendable (repeat each Arg) throws -> Key,
        options: MemoizeOptions<Value> = .init(), _ function: @escaping @Sendable (repeat each Arg) throws -> Value
    ) throws(CacheConfigurationError) {
        try self.init(store: store, name: name, key: key, options: options) { (_: Memoized, args: repeat each Arg) in
            try function(repeat each args)
        }
    }

    /// Calls the function through the cache.
    @inlinable
    public func callAsFunction(_ args: repeat each Arg) throws -> Value {
        let key = try makeKey(repeat each args)
        if let value = try? store.value(forKey: key) {
            if options.beta > 0 { return servingHit(key, value, repeat each args) }
            return value
        }
        return try miss(key, repeat each args)
    }

    /// How many hits this function recomputed early (``MemoizeOptions/beta``).
    public var earlyRecomputationCount: Int { earlyRecomputations.load(ordering: .relaxed) }

    /// A hit with early recomputation on: `current`, or a fresh value when the draw says
    /// the entry is near enough its expiry and no other caller is loading it. A failed
    /// recomputation keeps `current` (valid until it expires).
    @usableFromInline
    func servingHit(_ key: Key, _ current: Value, _ args: repeat each Arg) -> Value {
        guard let recorder, let times = recorder.expiryAndComputeTime(forKey: key), times.computeTime > .zero else {
            return current
        }
        let random = Double.random(in: Double.leastNonzeroMagnitude..<1)
        guard times.computeTime.cacheSeconds * options.beta * -log(random) >= times.remaining.cacheSeconds else {
            return current
        }
        do {
            let fresh = try recorder.withExclusiveLoadIfFree(forKey: key, leaseTimeout: options.leaseTimeout) { () throws -> Value in
                earlyRecomputations.add(1, ordering: .relaxed)
                return try load(key, repeat each args, rememberingErrors: false)
            }
            return fresh ?? current
        } catch {
            return current
        }
    }

    @usableFromInline
    func miss(_ key: Key, _ args: repeat each Arg) throws -> Value {
        if options.cacheErrors, let error = errors.withLock({ $0.error(for: key) }) { throw error }
        let (value, _) = try flights.run(
            key, function: name,
            recheck: { (try? store.peekValue(forKey: key)) ?? nil },
            compute: { try coordinatedLoad(key, repeat each args) })
        return value
    }

    /// Loads under the store's cross-process coordination when it has one (one caller
    /// on the machine computes; the others read its result), else directly.
    func coordinatedLoad(_ key: Key, _ args: repeat each Arg) throws -> Value {
        guard let exclusive else { return try load(key, repeat each args) }
        switch try exclusive.withExclusiveLoad(forKey: key, leaseTimeout: options.leaseTimeout, { try load(key, repeat each args) }) {
        case .loaded(let value), .found(let value, _): return value
        case .unavailable: return try load(key, repeat each args)
        }
    }

    func load(_ key: Key, _ args: repeat each Arg, rememberingErrors: Bool = true) throws -> Value {
        let value: Value
        let elapsed: Duration
        do {
            (value, elapsed) = try cacheTimedLoad({ try body(self, repeat each args) }) { failure, elapsed in
                counters.withLock { $0.recordLoad(succeeded: failure == nil, elapsed: elapsed) }
            }
        } catch {
            if options.cacheErrors && rememberingErrors {
                let limit = options.errorCacheLimit
                errors.withLock { $0.remember(error, for: key, limit: limit) }
            }
            throw error
        }
        if options.shouldCache?(value) ?? true {
            do {
                if let recorder {
                    try recorder.setValue(value, forKey: key, ttl: options.ttl, computeTime: elapsed)
                } else {
                    try store.setValue(value, forKey: key, ttl: options.ttl)
                }
            } catch {
                counters.withLock { $0.storeFailures += 1 }
                let described = cacheDescribeKey(key)
                options.logger.log(
                    level: cacheFailureLogLevel(error), "memoize could not store a result; returning it uncached",
                    metadata: ["function": "\(name)", "key": "\(described)", "error": "\(error)"])
                options.onStoreFailure?(error, described)
            }
        }
        return value
    }

    /// The store's counters plus this function's loads, load failures, store
    /// failures and load time.
    public var info: CacheStats {
        store.stats.addingLoadCounters(of: counters.withLock { $0 })
    }

    /// Removes every stored result (and remembered error) and resets this function's counters.
    public func clear() throws {
        errors.withLock { $0 = ErrorMemory() }
        counters.withLock { $0 = CacheStats() }
        try store.removeAll()
    }
}

extension Memoized {
    /// Memoizes `function` over an in-memory store keyed by the arguments themselves.
    @inlinable
    public convenience init(
        store: Store, name: String = "memoized", options: MemoizeOptions<Value> = .init(),
        _ function: @escaping @Sendable (repeat each Arg) throws -> Value
    ) throws(CacheConfigurationError) where Store.Key == ArgumentsKey<repeat each Arg> {
        try self.init(store: store, name: name, key: { (args: repeat each Arg) in ArgumentsKey(repeat each args) },
                      options: options, function)
    }

    /// Memoizes a recursive function over an in-memory store keyed by the arguments.
    @inlinable
    public convenience init(
        store: Store, name: String = "memoized", options: MemoizeOptions<Value> = .init(),
        recursive: @escaping Body
    ) throws(CacheConfigurationError) where Store.Key == ArgumentsKey<repeat each Arg> {
        try self.init(store: store, name: name, key: { (args: repeat each Arg) in ArgumentsKey(repeat each args) },
                      options: options, recursive: recursive)
    }

    /// Memoizes `function` over a store that keys by ``CacheKey`` (disk, Redis, any
    /// registry engine). `name` (and `version`) form the key namespace: choose a stable
    /// name; change `version` when the function's meaning changes.
    public convenience init(
        store: Store, name: String, version: String? = nil, options: MemoizeOptions<Value> = .init(),
        _ function: @escaping @Sendable (repeat each Arg) throws -> Value
    ) throws(CacheConfigurationError) where Store.Key == CacheKey, repeat each Arg: Encodable & SendableMetatype {
        try Memoized.checkName(name)
        try self.init(store: store, name: name, key: { (args: repeat each Arg) in
            try CacheKey(name: name, version: version, arguments: repeat each args)
        }, options: options, function)
    }

    /// Memoizes a recursive function over a store that keys by ``CacheKey``.
    public convenience init(
        store: Store, name: String, version: String? = nil, options: MemoizeOptions<Value> = .init(),
        recursive: @escaping Body
    ) throws(CacheConfigurationError) where Store.Key == CacheKey, repeat each Arg: Encodable & SendableMetatype {
        try Memoized.checkName(name)
        try self.init(store: store, name: name, key: { (args: repeat each Arg) in
            try CacheKey(name: name, version: version, arguments: repeat each args)
        }, options: options, recursive: recursive)
    }

    static func checkName(_ name: String) throws(CacheConfigurationError) {
        try CacheKey.validateName(name)
    }
}

/// Errors remembered by a memoized function with `cacheErrors` on (FIFO-bounded).
@usableFromInline
struct ErrorMemory<Key: Hashable>: Sendable where Key: Sendable {
    var errors: [Key: any Error] = [:]
    var order: [Key] = []
    var head = 0

    @usableFromInline init() {}

    func error(for key: Key) -> (any Error)? { errors[key] }

    mutating func remember(_ error: any Error, for key: Key, limit: Int) {
        guard limit > 0 else { return }
        if errors.updateValue(error, forKey: key) == nil { order.append(key) }
        while errors.count > limit, head < order.count {
            errors.removeValue(forKey: order[head])
            head += 1
        }
        if head > 1024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
