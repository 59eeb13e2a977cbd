import CacheAsync
import CacheCore
import Testing

@Suite struct SerializingStoreTests {
    struct Point: Codable, Equatable, Sendable { var x: Int; var y: Double }

    @Test func roundTripAndUndecodableEntriesAreMisses() async throws {
        let bytes = try AsyncMemoryStore<String, [UInt8]>(maxEntries: 100)
        let store = SerializingAsyncStore(base: bytes, serializer: JSONCacheSerializer<Point>())
        try await store.setValue(Point(x: 1, y: 2.5), forKey: "p", ttl: nil)
        #expect(try await store.value(forKey: "p") == Point(x: 1, y: 2.5))
        try await store.setValues(["q": Point(x: 3, y: 4)], ttl: .seconds(5))
        #expect(try await store.values(forKeys: ["p", "q", "r"]).count == 2)

        // Garbage, a truncated envelope, another serializer's entry: each a miss, removed.
        try await bytes.setValue([1, 2, 3, 4, 5, 6], forKey: "garbage")
        try await bytes.setValue([0xC5, 1, 10], forKey: "truncated")
        try await bytes.setValue(CacheValueEnvelope.wrap([1, 2], with: RawBytesSerializer()), forKey: "other")
        var valid = try CacheValueEnvelope.wrap(Point(x: 1, y: 1), with: JSONCacheSerializer<Point>())
        valid.removeLast(3)
        try await bytes.setValue(valid, forKey: "cut-json")
        for key in ["garbage", "truncated", "other", "cut-json"] {
            #expect(try await store.value(forKey: key) == nil, "\(key) must be a miss")
            #expect(try await bytes.value(forKey: key) == nil, "\(key) must be removed")
        }
        let stats = await store.stats
        #expect(stats.decodeFailures == 4)
    }

    @Test func envelopeRejectsOtherFormatVersions() throws {
        struct V2: CacheSerializer {
            var id: String { "raw-bytes" }
            var formatVersion: UInt16 { 2 }
            func encode(_ value: [UInt8]) throws -> [UInt8] { value }
            func decode(_ bytes: UnsafeRawBufferPointer) throws -> [UInt8] { Array(bytes) }
        }
        let written = try CacheValueEnvelope.wrap([7], with: RawBytesSerializer())
        #expect(throws: CacheSerializationError.self) { try CacheValueEnvelope.unwrap(written, with: V2()) }
        #expect(try CacheValueEnvelope.unwrap(written, with: RawBytesSerializer()) == [7])
    }
}
