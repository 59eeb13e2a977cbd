import CacheCore

/// The committed seed corpora (`Integration/Fuzz/corpus/<target>/`), for replaying.
package enum FuzzCorpus {
    /// The whole content of `path`, or nil when it cannot be read.
    package static func read(_ path: String) -> [UInt8]? { try? CacheFiles.readFile(path) }
}
