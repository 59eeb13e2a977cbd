import Foundation

/// Whether this is the Thread Sanitizer build (`-Xswiftc -DSWIFT_CACHE_TSAN`, which the TSan
/// pass passes to every target): stress, kill and soak loops stay out of it, and tests of
/// glibc's allocator statistics cannot run there (TSan brings its own allocator).
public let runningUnderThreadSanitizer: Bool = {
    #if SWIFT_CACHE_TSAN
    return true
    #else
    return false
    #endif
}()

/// `SWIFT_CACHE_STRESS_FULL=1`: stress tests and kill loops run at full size (8 threads ×
/// 1,000,000 operations, 100 kills) instead of the suite's (8 × 100,000, 20 kills).
public var stressAtFullSize: Bool { ProcessInfo.processInfo.environment["SWIFT_CACHE_STRESS_FULL"] == "1" }
