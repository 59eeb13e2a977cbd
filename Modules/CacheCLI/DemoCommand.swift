import ArgumentParser
import CacheCore
import Foundation

/// `cachectl demo`: the tour a newcomer runs first — functions memoized with
/// auto-selection, each result type choosing its backend, in a cache directory that a
/// second run is served from.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The data chooses the backend: memoized functions, the engine each one gets and why, served from storage on the second run.",
        discussion: """
            Run it twice: the second run computes nothing for the functions whose results persist \
            (arrays, blobs, documents, async results, the thumbnails of a custom analyzer) and says \
            which ones are memory-only and recompute. --basics tours the memory memoizers instead.
            """)

    @Option(help: "The cache directory the demo writes (default: demo/ under the user's swift-cache directory).")
    var dir: String?

    @Flag(help: "Empty the demo's directory first (only a directory an earlier demo made).")
    var reset = false

    @Flag(help: "Print the facts as one JSON object instead of the tour.")
    var json = false

    @Option(help: "A redis:// URL: adds a function shared through Redis.")
    var redis: String?

    @Flag(help: "Tour the memory memoizers and policy caches (CacheFunctools, CacheTools) instead.")
    var basics = false

    func run() throws {
        if basics {
            try DemoCommand.basicsTour()
            return
        }
        let directory = try dir ?? (CacheDirectories.defaultRoot() + "/demo")
        let workspace = try DemoWorkspace(directory: directory, reset: reset)
        let report = try DemoTour(workspace: workspace, redisURL: redis, narrate: !json).run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }
}

/// What one demo run found, as `cachectl demo --json` prints it.
struct DemoReport: Codable, Sendable {
    /// One memoized function of the tour.
    struct Function: Codable, Sendable {
        var name: String
        var engine: String
        /// The chosen analyzer's one-line reason.
        var reason: String
        /// Whether its results outlive the process (so a second run computes nothing).
        var persisted: Bool
        var calls: Int
        var computations: Int
        /// What the tour wants the reader to notice (a fallback, a tier, a hit time).
        var note: String?
        /// Median time of a hit, in microseconds, where the tour times one.
        var hitMicroseconds: Double?
    }

    /// The decision a custom analyzer changed.
    struct CustomAnalyzer: Codable, Sendable {
        var type: String
        var before: String
        var after: String
        var reason: String
    }

    var directory: String
    /// 1 for the first run in this directory, 2 for the second, …
    var run: Int
    var functions: [Function] = []
    var customAnalyzer: CustomAnalyzer?
    /// Every persisted function was served from storage (computed nothing) this run.
    var servedFromStorage: Bool = false
    /// The memory-only functions, which recompute in every process.
    var recomputedInMemory: [String] = []
}

/// The demo's directory: made on first use and marked as the demo's, so `--reset`
/// never deletes a directory the demo did not make.
struct DemoWorkspace {
    static let marker = ".cachectl-demo"
    let directory: String
    /// Which run this is in the directory (1 the first time).
    let run: Int

    init(directory: String, reset: Bool) throws {
        let files = FileManager.default
        let markerPath = directory + "/" + Self.marker
        var isDirectory: ObjCBool = false
        let exists = files.fileExists(atPath: directory, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue {
            throw ValidationError("\(directory) is a file, not a directory: give the demo a directory with --dir")
        }
        let contents = exists ? ((try? files.contentsOfDirectory(atPath: directory)) ?? []) : []
        if !contents.isEmpty && !files.fileExists(atPath: markerPath) {
            throw ValidationError("\(directory) is not empty and was not made by `cachectl demo`: choose another --dir (nothing was changed)")
        }
        if reset && exists {
            try files.removeItem(atPath: directory)
        }
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let previous = (try? String(contentsOfFile: markerPath, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        run = previous + 1
        try String(run).write(toFile: markerPath, atomically: true, encoding: .utf8)
        self.directory = directory
    }
}
