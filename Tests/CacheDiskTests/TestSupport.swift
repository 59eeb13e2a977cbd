import CacheCore
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

/// Runs a program; returns its status and standard output.
@discardableResult
func runProgram(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}

/// An outside program on PATH, or nil.
func findProgram(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// Whether missing outside programs must fail the test instead of skipping it.
var servicesRequired: Bool { ProcessInfo.processInfo.environment["SWIFT_CACHE_REQUIRE_SERVICES"] == "1" }

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
