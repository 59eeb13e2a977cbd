import CacheAutoSelect
import CacheCore
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The README's "Choosing a backend" section is rendered from the built-in analyzers'
/// rules, and every rule's example is fed to its analyzer: docs and code cannot drift.
@Suite struct DocumentationTests {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func readmeSectionMatchesTheBuiltInAnalyzers() throws {
        let readme = try String(decoding: Data(contentsOf: Self.packageRoot.appendingPathComponent("README.md")), as: UTF8.self)
        let section = try #require(ChoosingABackendDocument.section(in: readme),
                                   "README.md lacks the \(ChoosingABackendDocument.beginMarker) … \(ChoosingABackendDocument.endMarker) section")
        let generated = ChoosingABackendDocument.markdown()
        #expect(section == generated, "README.md's section differs; regenerate it with `swift run cachectl explain --table --markdown`")
    }

    @Test func everyDocumentedRuleIsWhatItsAnalyzerDoes() throws {
        for analyzer in BuiltinAnalyzers.documented {
            for rule in analyzer.rules {
                let answer = try #require(try analyzer.analyze(rule.example), "\(analyzer.name) passed on the example of '\(rule.condition)'")
                #expect(answer.choice.engine == rule.engine, "\(analyzer.name): '\(rule.condition)'")
                #expect(answer.alternatives.map(\.engine) == rule.alternatives, "\(analyzer.name): '\(rule.condition)'")
            }
        }
    }

    @Test func combinationAnalyzersRankAboveSingleOnes() {
        let documented = BuiltinAnalyzers.documented
        let lowestCombination = documented.filter { $0.kind == .combination }.map(\.priority).min()!
        let highestSingle = documented.filter { $0.kind == .single }.map(\.priority).max()!
        #expect(lowestCombination > highestSingle)
        #expect(Set(documented.map(\.name)).count == documented.count)
    }

    @Test func sectionExtractionNeedsBothMarkers() {
        #expect(ChoosingABackendDocument.section(in: "# title\nno markers") == nil)
        #expect(ChoosingABackendDocument.section(in: ChoosingABackendDocument.beginMarker + "\nunterminated") == nil)
        let text = "a\n\(ChoosingABackendDocument.beginMarker)\nx\n\(ChoosingABackendDocument.endMarker)\nb"
        #expect(ChoosingABackendDocument.section(in: text) == "\(ChoosingABackendDocument.beginMarker)\nx\n\(ChoosingABackendDocument.endMarker)")
    }
}
