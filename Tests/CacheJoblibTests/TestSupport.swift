import CacheCore
import Foundation
import Testing

/// A fresh directory under the temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "joblib") {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/swift-cache-\(label)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { "\(path)/\(name)" }
}

/// Finds `python3` with numpy, or says why not. When SWIFT_CACHE_REQUIRE_SERVICES=1
/// a missing numpy is a test failure instead of a skip.
enum NumPyPython {
    static let available: Bool = {
        (try? run(["-c", "import numpy"]))?.status == 0
    }()

    /// Whether tests needing numpy should run; records a failure when numpy is required.
    static func require(_ test: String) -> Bool {
        if available { return true }
        if ProcessInfo.processInfo.environment["SWIFT_CACHE_REQUIRE_SERVICES"] == "1" {
            Issue.record("numpy is required (SWIFT_CACHE_REQUIRE_SERVICES=1) but `python3 -c 'import numpy'` failed")
        } else {
            print("skipping \(test): python3 with numpy is not installed")
        }
        return false
    }

    struct Output { var status: Int32; var stdout: String; var stderr: String }

    @discardableResult
    static func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        // stderr goes to a file, not a second pipe: reading two pipes one after the other
        // deadlocks when the child fills the unread one.
        let out = Pipe()
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("swift-cache-python-\(UUID().uuidString).err").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = errHandle
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? errHandle.close()
        let stderr = FileManager.default.contents(atPath: errPath) ?? Data()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Runs a Python script; records its stderr when it fails.
    static func script(_ source: String, _ arguments: [String] = []) throws -> String {
        let result = try run(["-c", source] + arguments)
        #expect(result.status == 0, "python failed: \(result.stderr)")
        return result.stdout
    }
}
