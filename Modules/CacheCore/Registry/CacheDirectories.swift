#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where persistent engines keep their files when the caller names no directory.
///
/// The root is, in order:
/// 1. the `SWIFT_CACHE_DIR` environment variable, when set and not empty (tests point it
///    at a temporary directory);
/// 2. on macOS, `~/Library/Caches/swift-cache`;
/// 3. elsewhere, `$XDG_CACHE_HOME/swift-cache` when `XDG_CACHE_HOME` is an absolute path
///    (as the XDG base directory specification asks), else `~/.cache/swift-cache`.
///
/// The directory is not created here: each engine creates what it needs (0700) when it
/// opens a store.
public enum CacheDirectories {
    /// The environment variable that overrides the default root.
    public static let environmentVariable = "SWIFT_CACHE_DIR"

    /// The default root for this process's environment.
    /// - Throws: ``CacheConfigurationError`` when neither `SWIFT_CACHE_DIR` nor a home
    ///   directory can be found (`HOME` unset and no password-database entry).
    public static func defaultRoot() throws(CacheConfigurationError) -> String {
        try defaultRoot(environment: { name in getenv(name).map { String(cString: $0) } })
    }

    /// The default root for the given environment (for tests and tools that pass their own).
    public static func defaultRoot(
        environment: (String) -> String?
    ) throws(CacheConfigurationError) -> String {
        if let explicit = environment(environmentVariable), !explicit.isEmpty { return explicit }
        #if canImport(Darwin)
        return try home(environment) + "/Library/Caches/swift-cache"
        #else
        if let xdg = environment("XDG_CACHE_HOME"), xdg.hasPrefix("/") { return xdg + "/swift-cache" }
        return try home(environment) + "/.cache/swift-cache"
        #endif
    }

    private static func home(_ environment: (String) -> String?) throws(CacheConfigurationError) -> String {
        if let home = environment("HOME"), home.hasPrefix("/") { return home }
        if let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir {
            let text = String(cString: dir)
            if text.hasPrefix("/") { return text }
        }
        throw CacheConfigurationError(
            setting: "directory", value: "nil",
            reason: "no directory was given and no default exists: set \(environmentVariable) or HOME")
    }
}
