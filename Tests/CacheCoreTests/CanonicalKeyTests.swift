import CacheCore
import Testing

struct Point: Codable, Hashable { var x: Int; var y: Int }
struct OtherPoint: Codable, Hashable { var x: Int; var y: Int }
struct Tagged: Codable { var name: String; var tags: [String: Int]; var note: String? }

@Suite struct CanonicalKeyTests {
    func key<T: Encodable>(_ value: T) throws -> [UInt8] {
        var e = CanonicalKeyEncoder()
        try e.encode(value)
        return e.bytes
    }

    @Test func scalarsOfDifferentTypesAreDistinct() throws {
        let keys = try [key("1"), key(1), key(1.0), key(true), key(Int64(1)), key(UInt8(1)), key(Float(1))]
        #expect(Set(keys).count == keys.count)
    }

    @Test func integersAreFixedWidthLittleEndian() throws {
        #expect(try key(1) == [0x10, 1, 0, 0, 0, 0, 0, 0, 0])
        #expect(try key(Int32(-2)) == [0x13, 0xFE, 0xFF, 0xFF, 0xFF])
        #expect(try key(UInt16(0x0102)) == [0x17, 0x02, 0x01])
    }

    @Test func negativeZeroAndNaNAreCanonical() throws {
        #expect(try key(-0.0) == key(0.0))
        #expect(try key(Float(-0.0)) == key(Float(0)))
        let quiet = Double.nan, signalling = Double.signalingNaN, negative = -Double.nan
        let payload = Double(bitPattern: 0x7FF8_0000_0000_0042)
        #expect(try key(quiet) == key(signalling))
        #expect(try key(quiet) == key(negative))
        #expect(try key(quiet) == key(payload))
        #expect(try key(1.5) != key(-1.5))
    }

    @Test func stringsAndBytes() throws {
        #expect(try key("") != key([UInt8]()))
        #expect(try key([UInt8]([1, 2])) == [0x31, 2, 1, 2])
        #expect(try key("ab") == [0x30, 2, 0x61, 0x62])
        #expect(try key("ab") != key(["a", "b"]))
    }

    @Test func optionalsAreTagged() throws {
        #expect(try key(Int?.none) == [0x00])
        #expect(try key(Int?.some(1)) != key(1))
        #expect(try key(Int??.some(nil)) != key(Int??.none))
    }

    @Test func setsAndDictionariesIgnoreIterationOrder() throws {
        // Build the same contents in different insertion orders and capacities.
        var a: [String: Int] = [:], b: [String: Int] = [:]
        b.reserveCapacity(1000)
        for i in 0..<200 { a["k\(i)"] = i }
        for i in (0..<200).reversed() { b["k\(i)"] = i }
        #expect(try key(a) == key(b))
        let s1 = Set((0..<300).map { "v\($0)" })
        var s2 = Set<String>(minimumCapacity: 4096)
        for i in (0..<300).reversed() { s2.insert("v\(i)") }
        #expect(try key(s1) == key(s2))
        #expect(try key([1: "a", 2: "b"]) != key([1: "b", 2: "a"]))
    }

    @Test func codableStructsCarryTheirTypeAndSortFields() throws {
        #expect(try key(Point(x: 1, y: 2)) != key(OtherPoint(x: 1, y: 2)))
        #expect(try key(Point(x: 1, y: 2)) != key(Point(x: 2, y: 1)))
        var t1 = Tagged(name: "n", tags: [:], note: nil)
        var t2 = t1
        for i in 0..<50 { t1.tags["t\(i)"] = i }
        for i in (0..<50).reversed() { t2.tags["t\(i)"] = i }
        #expect(try key(t1) == key(t2))
        t2.note = "x"
        #expect(try key(t1) != key(t2))
    }

    @Test func argumentListsAreCountedAndOrdered() throws {
        let ab = try CanonicalKeyEncoder.encodeArguments(1, "a")
        let ba = try CanonicalKeyEncoder.encodeArguments("a", 1)
        let one = try CanonicalKeyEncoder.encodeArguments(1)
        #expect(ab != ba)
        #expect(ab.first == CanonicalTag.arguments.rawValue)
        #expect(ab[1] == 2 && one[1] == 1)
        #expect(try CanonicalKeyEncoder.encodeArguments([1, 2], 3) != CanonicalKeyEncoder.encodeArguments([1], [2, 3]))
    }

    @Test func largeArgumentsAreDigested() throws {
        let big = [Double](repeating: 1.25, count: 10_000)
        var bigger = big
        bigger[9_999] = 2
        let k1 = try CanonicalKeyEncoder.encodeArguments(big, 7)
        let k2 = try CanonicalKeyEncoder.encodeArguments(bigger, 7)
        #expect(k1.count < 200)
        #expect(k1 != k2)
        #expect(k1[2] == CanonicalTag.digest.rawValue)
        // Below the threshold the full encoding is kept.
        let small = try CanonicalKeyEncoder.encodeArguments([1.0, 2.0])
        #expect(!small.contains(CanonicalTag.digest.rawValue) || small[2] != CanonicalTag.digest.rawValue)
        #expect(small.count == 2 + 2 + 2 * 9)
        // A custom threshold moves the cut.
        let digested = try CanonicalKeyEncoder.encodeArguments([Double](repeating: 3, count: 10), digestThreshold: 32)
        #expect(digested[2] == CanonicalTag.digest.rawValue)
    }

    @Test func cacheKeyRoundTripsItsStorageBytes() throws {
        let key = try CacheKey(name: "fib", version: "2", arguments: 10, "x")
        #expect(key.namespace == "fib@2")
        #expect(CacheKey(storageBytes: key.storageBytes) == key)
        #expect(CacheKey(storageBytes: [0xFF]) == nil)
        #expect(CacheKey(storageBytes: [5, 0x61]) == nil)
        #expect(try CacheKey(name: "fib", arguments: 10) != CacheKey(name: "fib", version: "2", arguments: 10))
        #expect(key.digest.hex.count == 32)
    }

    @Test func argumentsKeyComparesEveryElement() {
        #expect(ArgumentsKey(1, "a") == ArgumentsKey(1, "a"))
        #expect(ArgumentsKey(1, "a") != ArgumentsKey(1, "b"))
        #expect(ArgumentsKey(1, "a").hashValue == ArgumentsKey(1, "a").hashValue)
    }
}
