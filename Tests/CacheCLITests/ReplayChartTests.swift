import CacheTools
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Collects what a chart test checks: the title, and each curve's policy and point count.
private final class ChartReader: NSObject, XMLParserDelegate {
    var curves: [(policy: String, points: Int)] = []
    var title = ""
    var rootElement: String?
    private var inTitle = false
    private var depth = 0

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if rootElement == nil { rootElement = name }
        depth += 1
        if name == "title", depth == 2 { inTitle = true }
        if name == "polyline", attributes["class"] == "curve" {
            let points = attributes["points", default: ""].split(separator: " ").count
            curves.append((attributes["data-policy", default: ""], points))
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        depth -= 1
        if name == "title" { inTitle = false }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inTitle { title += string }
    }
}

@Suite(.enabled(if: Cachectl.path != nil, "the cachectl executable is not beside the test bundle"))
struct ReplayChartTests {
    @Test func svgHoldsOneCurvePerPolicyWithOptAsTheCeiling() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var rng = SystemRandomNumberGenerator()
        let keys = (0..<5_000).map { _ in UInt32.random(in: 0..<400, using: &rng) }
        let trace = directory.appendingPathComponent("small & <odd>.u32")
        try Data(SyntheticTraces.bytes(of: keys)).write(to: trace)
        let svg = directory.appendingPathComponent("chart.svg").path
        let result = try Cachectl.run(["replay", trace.path, "--policy", "lru,lfu,box", "--capacity", "1%,5%,10%,50%",
                                       "--passes", "1", "--svg", svg])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("chart: \(svg)"))
        #expect(result.stdout.contains("opt "), "opt is replayed for the ceiling")

        let parser = try #require(XMLParser(contentsOf: URL(fileURLWithPath: svg)))
        let reader = ChartReader()
        parser.delegate = reader
        #expect(parser.parse(), "the chart is not well-formed XML: \(String(describing: parser.parserError))")
        #expect(reader.rootElement == "svg")
        #expect(reader.title.contains("small & <odd>"), "the title names the trace: \(reader.title)")
        #expect(reader.curves.map(\.policy) == ["lru", "lfu", "box", "opt"])
        #expect(reader.curves.allSatisfy { $0.points == 4 })
    }

    @Test func aChartThatCannotBeWrittenIsAClearError() throws {
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("chart-\(UUID().uuidString).u32")
        try Data(SyntheticTraces.bytes(of: [1, 2, 3, 1])).write(to: trace)
        defer { try? FileManager.default.removeItem(at: trace) }
        let target = "/nonexistent-\(UUID().uuidString)/chart.svg"
        let result = try Cachectl.run(["replay", trace.path, "--policy", "lru", "--capacity", "2", "--svg", target])
        #expect(result.status == 2)
        #expect(result.stderr.contains(target))
    }
}
