#if SWIFT_CACHE_TSAN
import CacheCore
// The Thread Sanitizer pass builds with SWIFT_CACHE_TSAN: there `Mutex` means the
// pthread-based twin TSan can see (see CacheCore's SanitizerVisibleMutex).
@usableFromInline typealias Mutex<Value: ~Copyable> = SanitizerVisibleMutex<Value>
#endif
