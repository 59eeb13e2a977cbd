import Foundation

/// Runs a program; returns its status and standard output (standard error is discarded).
@discardableResult
public func runProgram(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
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
public func findProgram(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// Whether missing outside programs must fail the test instead of skipping it
/// (`SWIFT_CACHE_REQUIRE_SERVICES=1`, which CI sets after installing them).
public var servicesRequired: Bool { ProcessInfo.processInfo.environment["SWIFT_CACHE_REQUIRE_SERVICES"] == "1" }

/// Mounts a tmpfs of `megabytes` at the existing directory `path` for a disk-full test, or
/// says why it cannot (not root, no mount permission); `unmount` undoes it.
public func mountSmallTmpfs(at path: String, megabytes: Int) throws -> String? {
    guard getuid() == 0 else { return "mounting a \(megabytes) MB tmpfs needs root" }
    let (status, _) = try runProgram("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path])
    return status == 0 ? nil : "mount -t tmpfs failed (no CAP_SYS_ADMIN in this container?)"
}

/// Unmounts what ``mountSmallTmpfs(at:megabytes:)`` mounted (lazily).
public func unmount(_ path: String) { _ = try? runProgram("/bin/umount", ["-l", path]) }
