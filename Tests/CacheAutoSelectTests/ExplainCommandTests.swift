import CacheAutoSelect
import CacheCore
import CacheTestKit
import Foundation
import Testing

/// `cachectl explain`, run as a real subprocess (the executable built beside the tests).
@Suite struct ExplainCommandTests {
    static func cachectlPath() -> String? { BuiltExecutable.path("cachectl") }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String)? {
        guard let cachectl = Self.cachectlPath() else {
            print("skipping: the cachectl executable was not found beside the test bundle (\(CommandLine.arguments[0]))")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cachectl)
        process.arguments = ["explain"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let error = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output, error)
    }

    @Test func explainsAsJSONWithAChosenField() throws {
        guard let r = try run(["--type", "[Double]", "--size", "8MB", "--persistence", "long-term", "--linked", "all", "--json"]) else { return }
        #expect(r.status == 0)
        let e = try JSONDecoder().decode(SelectionExplanation.self, from: Data(r.output.utf8))
        #expect(e.chosen?.engine == "CacheJoblib")
        let object = try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any]
        #expect((object?["chosen"] as? [String: Any])?["engine"] as? String == "CacheJoblib")
    }

    @Test func explainsReadablyWithHintsAndLinkedEngines() throws {
        guard let r = try run(["--type", "[Double]", "--size", "8MB", "--persistence", "long-term", "--linked", "CacheTools,CacheDisk"]) else { return }
        #expect(r.status == 0)
        #expect(r.output.contains("CacheJoblib (recommended): not registered"))
        #expect(r.output.contains("chosen: CacheDisk"))
        #expect(r.output.contains("fallback:"))
        guard let s = try run(["--type", "Int", "--concurrency", "multi-process", "--access", "frequency", "--linked", "all"]) else { return }
        #expect(s.output.contains("chosen: CacheDisk"))
    }

    @Test func explainsWithTheEnginesCachectlLinks() throws {
        guard let r = try run(["--type", "Int", "--json"]) else { return }
        let e = try JSONDecoder().decode(SelectionExplanation.self, from: Data(r.output.utf8))
        #expect(Set(e.registered) == ["CacheFunctools", "CacheTools", "CacheDisk", "CacheJoblib", "CacheAsync", "CacheRedis", "CacheBox", "CacheKlepto"])
        #expect(e.chosen?.engine == "CacheTools")
        // Without --linked, the rows that need a persistent or shared backend resolve to it.
        let rows: [([String], CacheEngineID)] = [
            (["--type", "[Double]", "--size", "8MB", "--persistence", "long-term"], "CacheJoblib"),
            (["--type", "Data", "--persistence", "long-term"], "CacheDisk"),
            (["--type", "Int", "--concurrency", "multi-process"], "CacheDisk"),
            (["--type", "String", "--concurrency", "distributed", "--async"], "CacheRedis"),
            (["--type", "Int", "--async"], "CacheAsync"),
            // The custom-types and session rows name CacheKlepto first, which cachectl links.
            (["--type", "Report", "--persistence", "session"], "CacheKlepto"),
        ]
        for (arguments, engine) in rows {
            guard let row = try run(arguments + ["--json"]) else { return }
            let decided = try JSONDecoder().decode(SelectionExplanation.self, from: Data(row.output.utf8))
            #expect(decided.chosen?.engine == engine, "\(arguments)")
        }
    }

    @Test func badInputIsAUsageError() throws {
        guard let r = try run(["--type", "[Double", "--size", "8MB"]) else { return }
        #expect(r.status != 0)
        #expect(r.error.contains("cannot parse type '[Double'"))
        guard let s = try run(["--type", "Int", "--size", "8 parsecs"]) else { return }
        #expect(s.status != 0)
        #expect(s.error.contains("unknown unit"))
        guard let t = try run(["--type", "Int", "--persistence", "forever"]) else { return }
        #expect(t.status != 0)
        guard let u = try run([]) else { return }
        #expect(u.status != 0)
    }

    @Test func tableMarkdownIsTheReadmeSection() throws {
        guard let r = try run(["--table", "--markdown"]) else { return }
        #expect(r.status == 0)
        #expect(r.output == ChoosingABackendDocument.markdown() + "\n")
    }
}
