import CacheCore
import CacheTestKit
import Foundation
@testable import CacheDisk

/// A fresh directory under the system temporary directory.
func temporaryDirectory(_ label: String = "disk") -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("cachedisk-\(label)-\(UUID().uuidString)").path
    return path
}

func bytes(_ count: Int, seed: UInt8) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
}

func fileMode(_ path: String) -> Int {
    var info = stat()
    guard lstat(path, &info) == 0 else { return -1 }
    return Int(info.st_mode & 0o777)
}

func valueFiles(_ directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/values")) ?? []).filter { $0.hasSuffix(".val") }.sorted()
}

/// The size of `path` in bytes, or -1 when it does not exist.
func fileSize(_ path: String) -> Int {
    var info = stat()
    guard lstat(path, &info) == 0 else { return -1 }
    return Int(info.st_size)
}
