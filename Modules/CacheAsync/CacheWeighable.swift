import CacheCore

/// A value that knows how many bytes it holds, for stores bounded by bytes.
public protocol CacheWeighable {
    /// The approximate number of bytes this value holds.
    var cacheWeight: Int { get }
}

extension Array: CacheWeighable where Element: RawNumeric {
    public var cacheWeight: Int { count * MemoryLayout<Element>.stride }
}

extension String: CacheWeighable {
    public var cacheWeight: Int { utf8.count }
}

/// The default weight of a key–value pair: weighable values and keys report their
/// bytes; anything else weighs its inline size.
@inlinable
public func cacheDefaultWeight<Key, Value>(_ key: Key, _ value: Value) -> Int {
    let valueWeight = (value as? any CacheWeighable)?.cacheWeight ?? MemoryLayout<Value>.stride
    let keyWeight = (key as? any CacheWeighable)?.cacheWeight ?? MemoryLayout<Key>.stride
    return max(1, valueWeight + keyWeight)
}
