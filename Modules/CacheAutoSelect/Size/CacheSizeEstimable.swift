/// A type that knows how many bytes its values take when cached (their payload:
/// the bytes a persistent engine would write, roughly what memory holds).
///
/// Conform types whose size the standard estimates would get wrong or find slowly
/// (a tensor wrapping a buffer, an image with a pixel array).
public protocol CacheSizeEstimable {
    /// The value's size in bytes.
    var estimatedCacheSize: Int { get }
}
