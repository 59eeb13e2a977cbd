import CacheTools
import CacheTestKit
import Foundation
import Testing

/// Runs the real `cachectl` executable (built beside this test bundle) as a user would.
struct Cachectl {
    static let path: String? = BuiltExecutable.path("cachectl")

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        guard let path else { throw CocoaError(.fileNoSuchFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}

@Suite(.enabled(if: Cachectl.path != nil, "the cachectl executable is not beside the test bundle"))
struct CachectlProcessTests {
    func temporaryTrace(_ keys: [UInt32]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).u32").path
        try Data(SyntheticTraces.bytes(of: keys)).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func replayPrintsJSONRows() throws {
        // 1,2,3,1,2,3 with capacity 2: LRU never hits, OPT hits twice.
        let path = try temporaryTrace([1, 2, 3, 1, 2, 3, 1, 2, 3])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Cachectl.run(["replay", path, "--policy", "lru,mru,opt", "--capacity", "2", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(rows.count == 3)
        #expect(rows[0]?["policy"] as? String == "lru")
        #expect(rows[0]?["hitRatio"] as? Double == 0)
        #expect(rows[0]?["capacity"] as? Int == 2)
        #expect((rows[1]?["hitRatio"] as? Double ?? 0) > 0)
        #expect(rows[2]?["policy"] as? String == "opt")
        #expect(abs((rows[2]?["hitRatio"] as? Double ?? 0) - 4.0 / 9.0) < 1e-6)
        #expect(rows[0]?["workload"] as? String == "replay")
    }

    @Test func replayPercentCapacityRoundsHalfToEven() throws {
        // 250 distinct keys: 1% = 2.5 → 2.
        let path = try temporaryTrace((0..<250).map(UInt32.init))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Cachectl.run(["replay", path, "--policy", "lru", "--capacity", "1%", "--json"])
        #expect(result.stdout.contains(#""capacity": 2,"#))
    }

    @Test(arguments: [
        (["replay", "/nonexistent/trace.u32"], "/nonexistent/trace.u32"),
        (["replay", "BADSIZE"], "not a multiple of 4"),
        (["replay", "GOOD", "--policy", "lru,belady"], "'belady'"),
        (["replay", "GOOD", "--capacity", "0"], "'0'"),
        (["replay", "GOOD", "--capacity", "150%"], "'150%'"),
    ])
    func replayBadInputExitsWithTwo(arguments: [String], message: String) throws {
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).u32").path
        try Data([1, 2, 3, 4, 5]).write(to: URL(fileURLWithPath: bad))
        let good = try temporaryTrace([1, 2, 3])
        defer {
            try? FileManager.default.removeItem(atPath: bad)
            try? FileManager.default.removeItem(atPath: good)
        }
        let args = arguments.map { $0 == "BADSIZE" ? bad : $0 == "GOOD" ? good : $0 }
        let result = try Cachectl.run(args)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one clear message")
    }

    @Test func demoRuns() throws {
        let result = try Cachectl.run(["demo", "--basics"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("fib(90) = 2880067194370816120"))
        #expect(result.stdout.contains("evicted: kiwi (size), plum (size)"))
    }
}
