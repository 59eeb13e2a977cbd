import CacheCore
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct Doc: Codable, Equatable { var title: String; var pages: [Int]; var meta: [String: String]?; var ratio: Double }

@Suite struct BuiltinSerializerTests {
    @Test func rawAndNumericRoundTrip() throws {
        let raw = RawBytesSerializer()
        #expect(try raw.decode(raw.encode([1, 2, 3])) == [1, 2, 3])
        let numbers = NumericArraySerializer<Double>()
        let values: [Double] = [0, -0.0, .pi, .infinity, -1e300]
        let bytes = try numbers.encode(values)
        #expect(bytes.count == 40)
        let back = try numbers.decode(bytes)
        #expect(back.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(throws: CacheSerializationError.self) { _ = try numbers.decode([1, 2, 3]) }
        #expect(try numbers.decode([UInt8]()) == [])
    }

    @Test func jsonRoundTripAndBadInput() throws {
        let json = JSONCacheSerializer<Doc>()
        let doc = Doc(title: "t", pages: [1, 2], meta: ["a": "b"], ratio: 0.5)
        #expect(try json.decode(json.encode(doc)) == doc)
        #expect(throws: CacheSerializationError.self) { _ = try json.decode(Array("{".utf8)) }
    }

    @Test func defaultSerializerChoosesByType() throws {
        #expect(CacheSerializers.default(for: [UInt8].self).id == "raw-bytes")
        #expect(CacheSerializers.default(for: Data.self).id == "raw-data")
        #expect(CacheSerializers.default(for: [Double].self).id == "numeric-array-f8")
        #expect(CacheSerializers.default(for: Doc.self).id == "binary-codable")
        let s = CacheSerializers.default(for: Doc.self)
        let doc = Doc(title: "x", pages: [], meta: nil, ratio: -1)
        #expect(try s.decode(s.encode(doc)) == doc)
    }
}
