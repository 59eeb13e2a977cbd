import CacheAutoSelect
import CacheCore
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct Pixels: Codable, CacheDescribable, CacheSizeEstimable {
    static var cacheDataCategory: CacheDataCategory { .binaryBlob }
    var width: Int
    var height: Int
    var estimatedCacheSize: Int { width * height * 4 }
}

struct NotCodable {}

@Suite struct DescriptionTests {
    @Test func typeDescriptorsFromTypes() {
        #expect(TypeDescriptor(Int.self) == .scalar("Int"))
        #expect(TypeDescriptor(String.self).category == .smallScalar)
        #expect(TypeDescriptor([Double].self) == .array(.scalar("Double")))
        #expect(TypeDescriptor([Double].self).category == .numericArray)
        #expect(TypeDescriptor([[Float]].self).category == .numericArray)
        #expect(TypeDescriptor([UInt8].self) == .bytes("[UInt8]"))
        #expect(TypeDescriptor(Data.self).category == .binaryBlob)
        #expect(TypeDescriptor([String: Int].self) == .dictionary(key: .scalar("String"), value: .scalar("Int")))
        #expect(TypeDescriptor([String: Int].self).category == .collection)
        #expect(TypeDescriptor([String: [Double]].self).category == .tabular)
        #expect(TypeDescriptor(Set<String>.self) == .set(.scalar("String")))
        #expect(TypeDescriptor(Int?.self) == .optional(.scalar("Int")))
        #expect(TypeDescriptor(Report.self).category == .customCodable)
        #expect(TypeDescriptor(Pixels.self).category == .binaryBlob)
        #expect(TypeDescriptor(NotCodable.self).category == .opaque)
        #expect(TypeDescriptor([NotCodable].self).category == .opaque)
    }

    @Test func typeDescriptorsFromTheCommandLine() throws {
        #expect(try TypeDescriptor(parsing: "[Double]") == TypeDescriptor([Double].self))
        #expect(try TypeDescriptor(parsing: "[String: Int]") == TypeDescriptor([String: Int].self))
        #expect(try TypeDescriptor(parsing: "Dictionary<String, [Double]>") == TypeDescriptor([String: [Double]].self))
        #expect(try TypeDescriptor(parsing: " Set< String > ") == TypeDescriptor(Set<String>.self))
        #expect(try TypeDescriptor(parsing: "Int?") == TypeDescriptor(Int?.self))
        #expect(try TypeDescriptor(parsing: "Optional<Data>") == TypeDescriptor(Data?.self))
        #expect(try TypeDescriptor(parsing: "Array<UInt8>") == .bytes("[UInt8]"))
        #expect(try TypeDescriptor(parsing: "Report").category == .customCodable)
        #expect(try TypeDescriptor(parsing: "Frame", category: .tabular).category == .tabular)
        for bad in ["", "[Double", "[String: ]", "Set<>", "Dictionary<String>", "Int Int", "Array<Int, Int>", "]"] {
            #expect(throws: TypeDescriptorParseError.self, "'\(bad)'") { try TypeDescriptor(parsing: bad) }
        }
        let deep = String(repeating: "[", count: 40) + "Int" + String(repeating: "]", count: 40)
        #expect(throws: TypeDescriptorParseError.self) { try TypeDescriptor(parsing: deep) }
        do throws(TypeDescriptorParseError) {
            _ = try TypeDescriptor(parsing: "[Double")
        } catch {
            #expect(error.offset == 7)
            #expect(error.description.contains("expected ']'"))
        }
    }

    @Test func sizeEstimatesForStandardTypes() {
        let e = CacheSizeEstimator.standard
        #expect(e.estimate("héllo") == .init(bytes: 6, method: .exact))
        #expect(e.estimate(Data(count: 1234)) == .init(bytes: 1234, method: .exact))
        #expect(e.estimate([Double](repeating: 1, count: 1000)) == .init(bytes: 8000, method: .exact))
        #expect(e.estimate(42) == .init(bytes: 8, method: .exact))
        #expect(e.estimate(["ab", "cde"]) == .init(bytes: 5, method: .exact))
        #expect(e.estimate(["k": [1.0, 2.0]]) == .init(bytes: 17, method: .exact))
        #expect(e.estimate(Int?.none).bytes == 1)
        #expect(e.estimate(Pixels(width: 100, height: 50)) == .init(bytes: 20_000, method: .exact))
        // Large heterogeneous collections are sampled, not walked.
        let strings = (0..<100_000).map { _ in String(repeating: "x", count: 10) }
        #expect(e.estimate(strings) == .init(bytes: 1_000_000, method: .sampled))
        let dict = Dictionary(uniqueKeysWithValues: (0..<10_000).map { (padded6($0), String(repeating: "v", count: 4)) })
        #expect(e.estimate(dict) == .init(bytes: 100_000, method: .sampled))
        // Codable fallback: the default serializer's bytes.
        let report = Report(title: "t", lines: ["a", "b"])
        let codable = e.estimate(report)
        #expect(codable.method == .codable)
        #expect(codable.bytes == (try? CacheSerializers.default(for: Report.self).encode(report).count))
        #expect(e.estimate(NotCodable()).method == .layout)
    }

    @Test func sizesParseAndPrint() throws {
        #expect(try CacheSizeFormat.parse("8MB") == 8_000_000)
        #expect(try CacheSizeFormat.parse("200 KB") == 200_000)
        #expect(try CacheSizeFormat.parse("5MiB") == 5 * 1_048_576)
        #expect(try CacheSizeFormat.parse("1.5GB") == 1_500_000_000)
        #expect(try CacheSizeFormat.parse("4096") == 4096)
        for bad in ["", "MB", "-1MB", "8 parsecs", "1e999"] {
            #expect(throws: CacheSizeParseError.self, "'\(bad)'") { try CacheSizeFormat.parse(bad) }
        }
        #expect(CacheSizeFormat.bytes(512) == "512 B")
        #expect(CacheSizeFormat.bytes(8 * 1_048_576) == "8 MiB")
        #expect(CacheSizeFormat.bytes(1536) == "1.5 KiB")
    }

    @Test func descriptionSizeClassComesFromMeasurementThenHintThenType() {
        #expect(DataDescription(Int.self).sizeClass == .small)
        #expect(DataDescription(String.self).sizeClass == nil)
        #expect(DataDescription(String.self, hints: .init(sizeClass: .large)).sizeClass == .large)
        #expect(DataDescription(String.self, size: 20_000, hints: .init(sizeClass: .huge)).sizeClass == .medium)
        #expect(DataDescription(sample: String(repeating: "x", count: 2_000_000)).sizeClass == .large)
        #expect(CacheSizeClass(bytes: 10 * 1024 - 1) == .small)
        #expect(CacheSizeClass(bytes: 10 * 1024) == .medium)
        #expect(CacheSizeClass(bytes: 100 * 1024 * 1024) == .huge)
    }
}

func padded6(_ n: Int) -> String {
    let digits = String(n)
    return String(repeating: "0", count: Swift.max(0, 6 - digits.count)) + digits
}
