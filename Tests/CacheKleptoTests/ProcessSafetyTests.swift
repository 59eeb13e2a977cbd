import CacheCore
import CacheKlepto
import CacheTestKit
import Foundation
import Testing

/// Real child processes (CacheKleptoProbe) sharing one archive.
@Suite struct ProcessSafetyTests {
    static func probe() -> String? { BuiltExecutable.path("CacheKleptoProbe") }

    static func start(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: probe()!)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        return (process, pipe)
    }

    static func location(_ kind: String) throws -> String {
        let directory = try temporaryDirectory("xp-\(kind)")
        switch kind {
        case "directory": return directory + "/archive"
        case "sql": return directory + "/archive.db"
        default: return directory + "/archive.klepto"
        }
    }

    static func open(_ kind: String, _ path: String) throws -> any KleptoArchive {
        switch kind {
        case "directory": return try DirectoryArchive(path: path)
        case "sql": return try SQLTableArchive(path: path, name: "shared")
        default: return try SingleFileArchive(path: path)
        }
    }

    /// Three processes write distinct keys and one shared key at once: no entry is lost
    /// or torn, and this process reads every committed write.
    @Test(arguments: ["directory", "sql", "file"])
    func concurrentWritersLoseNothing(kind: String) throws {
        guard Self.probe() != nil else {
            Issue.record("the CacheKleptoProbe executable was not built beside the tests")
            return
        }
        let path = try Self.location(kind)
        let perWorker = kind == "file" ? 60 : 150
        let children = try (0..<3).map { try Self.start(["write", kind, path, "\($0)", "\(perWorker)"]) }
        for (process, pipe) in children {
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            #expect(output.contains("done"))
        }
        let cache = try KleptoCache<CacheKey, String>(archive: Self.open(kind, path), policy: .none)
        #expect(cache.count == 3 * perWorker + 1, "entries were lost")
        for worker in 0..<3 {
            for i in 0..<perWorker {
                #expect(try cache.value(forKey: CacheKey(name: "probe", arguments: worker, i)) == "w\(worker)-\(i)")
            }
        }
        let shared = try cache.value(forKey: CacheKey(name: "probe", arguments: "shared"))
        #expect((0..<3).map { "w\($0)-\(perWorker - 1)" }.contains(shared ?? ""), "the shared key holds \(shared ?? "nil")")
        #expect(cache.stats.decodeFailures == 0, "a torn entry was read")
        #expect(try cache.archive.keys().count == 3 * perWorker + 1, "the index disagrees with the entries")
    }

    /// A write-back process killed with SIGKILL loses only what it had not flushed:
    /// everything dumped before is there, whole.
    @Test(arguments: ["directory", "sql", "file"])
    func sigkillLosesOnlyTheUnflushedWindow(kind: String) throws {
        guard Self.probe() != nil else {
            Issue.record("the CacheKleptoProbe executable was not built beside the tests")
            return
        }
        let path = try Self.location(kind)
        let (process, pipe) = try Self.start(["writeback", kind, path, "50"])
        var output = ""
        let handle = pipe.fileHandleForReading
        while !output.contains("dumped 50\n") {
            let data = handle.availableData
            if data.isEmpty { break }
            output += String(decoding: data, as: UTF8.self)
        }
        #expect(output.contains("dumped 50"))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let cache = try KleptoCache<CacheKey, String>(archive: Self.open(kind, path), policy: .none)
        for i in 0..<50 { #expect(try cache.value(forKey: CacheKey(name: "probe", arguments: i)) == "v\(i)", "a dumped entry was lost") }
        #expect(cache.stats.decodeFailures == 0)
    }
}
