#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Executables of this package built beside the test bundle (`cachectl`, `CacheRedisProbe`),
/// for tests that run real child processes.
public enum BuiltExecutable {
    /// The path of the executable `name` in the test bundle's directory or one of its
    /// three parents (where SwiftPM puts products on Linux and macOS), or `nil` when it
    /// was not built.
    public static func path(_ name: String) -> String? {
        var directory = parent(of: CommandLine.arguments[0])
        for _ in 0..<4 {
            let candidate = directory + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
            directory = parent(of: directory)
        }
        return nil
    }

    /// `path` without its last component (`.` for a bare name, `/` at the root).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
