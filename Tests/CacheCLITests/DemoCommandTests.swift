import Foundation
import Testing

/// `cachectl demo` run as a user runs it, twice in one directory: the data chooses each
/// function's backend, and the second run is served from storage.
@Suite struct DemoCommandTests {
    struct Report: Decodable {
        struct Function: Decodable {
            var name: String
            var engine: String
            var reason: String
            var persisted: Bool
            var calls: Int
            var computations: Int
            var note: String?
            var hitMicroseconds: Double?
        }
        struct CustomAnalyzer: Decodable { var type: String; var before: String; var after: String; var reason: String }
        var directory: String
        var run: Int
        var functions: [Function]
        var customAnalyzer: CustomAnalyzer?
        var servedFromStorage: Bool
        var recomputedInMemory: [String]

        func function(_ name: String) throws -> Function {
            try #require(functions.first { $0.name == name }, "no \(name) in \(functions.map(\.name))")
        }
    }

    static func demo(_ arguments: [String]) throws -> Report {
        let result = try Cachectl.run(["demo", "--json"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").last, "no output; stderr: \(result.stderr)")
        return try JSONDecoder().decode(Report.self, from: Data(line.utf8))
    }

    @Test func dataChoosesTheBackendAndTheSecondRunIsServedFromStorage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-demo-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let first = try Self.demo(["--dir", dir])
        #expect(first.run == 1 && first.directory == dir)
        #expect(try first.function("demo.square").engine == "CacheTools")
        #expect(try first.function("demo.spectrum").engine == "CacheJoblib")
        #expect(try first.function("demo.spectrum").hitMicroseconds != nil)
        #expect(try first.function("demo.render").engine == "CacheDisk")
        // cachectl links CacheKlepto: the custom type gets it (a build without it would get
        // CacheDisk and a note saying why).
        let sales = try first.function("demo.sales")
        #expect(sales.engine == "CacheKlepto")
        #expect(sales.note == nil)
        #expect(try first.function("demo.profile").engine == "CacheDisk")
        #expect(try first.function("demo.tile(1 KiB)").engine == "CacheTools")
        #expect(try first.function("demo.tile(1 MiB)").engine == "CacheDisk")
        let analyzer = try #require(first.customAnalyzer)
        #expect(analyzer.before == "CacheTools" && analyzer.after == "CacheDisk")
        #expect(analyzer.reason == "thumbnails → disk with a 50 MB limit")
        #expect(try first.function("demo.thumbnail").engine == "CacheDisk")
        #expect(!first.servedFromStorage)
        for function in first.functions {
            #expect(function.computations > 0, "\(function.name) computed on the first run")
            #expect(function.computations < function.calls, "\(function.name) had hits")
            #expect(!function.reason.isEmpty)
        }

        let second = try Self.demo(["--dir", dir])
        #expect(second.run == 2)
        #expect(second.servedFromStorage)
        #expect(second.recomputedInMemory.sorted() == ["demo.square", "demo.tile(1 KiB)"])
        for function in second.functions {
            if function.persisted {
                #expect(function.computations == 0, "\(function.name) served from storage")
            } else {
                #expect(function.computations > 0, "\(function.name) is memory-only")
            }
        }

        let reset = try Self.demo(["--dir", dir, "--reset"])
        #expect(reset.run == 1 && !reset.servedFromStorage)
    }

    @Test func aForeignDirectoryIsRefusedAndLeftAlone() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-demo-foreign-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("mine".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))
        let result = try Cachectl.run(["demo", "--dir", dir, "--reset"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("was not made by `cachectl demo`"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["notes.txt"])
    }
}
