import CacheCompression
import CacheCore
import Testing

@Suite struct ZlibCodecTests {
    @Test func zlibRoundTripAndCorruption() throws {
        let values = (0..<100_000).map { Double($0 % 97) }
        let compressed = try values.withUnsafeBytes { try ZlibCodec.compress([$0], level: 6, context: "test") }
        #expect(compressed.count < values.count * 8 / 4)
        var restored = [Double](repeating: 0, count: values.count)
        try compressed.withUnsafeBytes { source in
            try restored.withUnsafeMutableBytes { try ZlibCodec.decompress(source, into: $0, context: "test") }
        }
        #expect(restored == values)
        var short = [UInt8](repeating: 0, count: 10)
        #expect(throws: CacheSerializationError.self) {
            try compressed.withUnsafeBytes { source in try short.withUnsafeMutableBytes { try ZlibCodec.decompress(source, into: $0, context: "test") } }
        }
        var long = [UInt8](repeating: 0, count: values.count * 8 + 1)
        #expect(throws: CacheSerializationError.self) {
            try compressed.withUnsafeBytes { source in try long.withUnsafeMutableBytes { try ZlibCodec.decompress(source, into: $0, context: "test") } }
        }
        var garbage = compressed
        for i in stride(from: 10, to: garbage.count, by: 7) { garbage[i] ^= 0x5A }
        #expect(throws: CacheSerializationError.self) {
            try garbage.withUnsafeBytes { source in try restored.withUnsafeMutableBytes { try ZlibCodec.decompress(source, into: $0, context: "test") } }
        }
    }

    @Test func emptyInputRoundTrips() throws {
        let compressed = try ZlibCodec.compress([], level: 1, context: "empty")
        var nothing: [UInt8] = []
        try compressed.withUnsafeBytes { source in
            try nothing.withUnsafeMutableBytes { try ZlibCodec.decompress(source, into: $0, context: "empty") }
        }
        #expect(nothing.isEmpty)
        var truncated = [UInt8](repeating: 0, count: 4)
        #expect(throws: CacheSerializationError.self) {
            try [UInt8]().withUnsafeBytes { source in try truncated.withUnsafeMutableBytes { try ZlibCodec.decompress(source, into: $0, context: "empty") } }
        }
    }
}
