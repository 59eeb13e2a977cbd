import CacheCore
import Testing

@Suite struct Hash128Tests {
    @Test func hexAndBytesRoundTrip() {
        let h = Hash128(low: 0x0123_4567_89AB_CDEF, high: 0xFEDC_BA98_7654_3210)
        #expect(h.hex == "fedcba98765432100123456789abcdef")
        #expect(Hash128(hex: h.hex) == h)
        #expect(Hash128(bytes: h.bytes) == h)
        #expect(Hash128(hex: "xyz") == nil)
        #expect(Hash128(hex: String(repeating: "g", count: 32)) == nil)
    }

    @Test func cacheHashIsXXH3() {
        let bytes: [UInt8] = Array("swift-cache".utf8)
        #expect(CacheHash.digest(bytes) == XXH3.hash128(bytes))
        #expect(CacheHash.algorithmID == "xxh3-128")
    }
}
