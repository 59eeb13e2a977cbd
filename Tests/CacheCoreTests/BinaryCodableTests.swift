import CacheCore
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// MARK: - Fixtures

private struct Address: Codable, Equatable {
    var street: String
    var zip: Int32
}

private struct Person: Codable, Equatable {
    var name: String
    var age: UInt8
    var email: String?
    var nickname: String?
    var addresses: [Address]
    var scores: [Double]
    var tags: Set<String>
}

private indirect enum Shape: Codable, Equatable {
    case circle(radius: Double)
    case rect(width: Double, height: Double)
    case labelled(String, Shape?)
    case empty
}

private class Animal: Codable {
    var name: String
    init(name: String) { self.name = name }
    private enum CodingKeys: String, CodingKey { case name }
}

private final class Dog: Animal {
    var breed: String
    init(name: String, breed: String) {
        self.breed = breed
        super.init(name: name)
    }
    private enum CodingKeys: String, CodingKey { case breed }
    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        breed = try container.decode(String.self, forKey: .breed)
        try super.init(from: container.superDecoder())
    }
    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(breed, forKey: .breed)
        try super.encode(to: container.superEncoder())
    }
}

/// Writes its fields out of order and through nested containers.
private struct Unusual: Codable, Equatable {
    var a: Int
    var b: [String]
    var c: Int?
    private enum CodingKeys: String, CodingKey { case a, b, c, nested }
    private enum NestedKeys: String, CodingKey { case inner }
    init(a: Int, b: [String], c: Int?) { self.a = a; self.b = b; self.c = c }
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // Reverse order of writing, and probe a missing key first.
        let nested = try container.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested)
        var list = try nested.nestedUnkeyedContainer(forKey: .inner)
        var items: [String] = []
        while !list.isAtEnd { items.append(try list.decode(String.self)) }
        b = items
        c = try container.decodeIfPresent(Int.self, forKey: .c)
        a = try container.decode(Int.self, forKey: .a)
    }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var nested = container.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested)
        try container.encode(a, forKey: .a)  // interleaved with the open nested container
        var list = nested.nestedUnkeyedContainer(forKey: .inner)
        for item in b { try list.encode(item) }
        try container.encodeIfPresent(c, forKey: .c)
    }
}

private struct Small: Codable, Equatable {
    var id: Int
    var name: String
    var score: Double
    var note: String?
    var values: [Int]
}

private indirect enum Tree: Codable, Equatable {
    case leaf(Int)
    case node(Tree, Tree)
}

private func roundTrip<T: Codable & Equatable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let bytes = try BinaryCodableEncoder().encode(value)
    let decoded = try BinaryCodableDecoder().decode(T.self, from: bytes)
    #expect(decoded == value, sourceLocation: sourceLocation)
}

private let sampleValue = [
    Person(
        name: "Zoë 🦊", age: 41, email: "z@example.com", nickname: nil,
        addresses: [Address(street: "Main", zip: 12345), Address(street: "", zip: -1)],
        scores: [1.5, -0.0, .infinity], tags: ["a", "b"]),
    Person(name: "", age: 0, email: nil, nickname: "n", addresses: [], scores: [], tags: []),
]

@Suite("BinaryCodable")
struct BinaryCodableTests {
    // MARK: Scalars

    @Test func integersOfEveryWidth() throws {
        try roundTrip([Int8.min, -1, 0, 1, Int8.max])
        try roundTrip([Int16.min, -1, 0, Int16.max])
        try roundTrip([Int32.min, 0, Int32.max])
        try roundTrip([Int64.min, -1, 0, Int64.max])
        try roundTrip([Int.min, -1, 0, 1, Int.max])
        try roundTrip([UInt8.min, 1, UInt8.max])
        try roundTrip([UInt16.min, UInt16.max])
        try roundTrip([UInt32.min, UInt32.max])
        try roundTrip([UInt64.min, UInt64.max])
        try roundTrip([UInt.min, UInt.max])
        for value in [Int8.min, 0, Int8.max] { try roundTrip(value) }
        for value in [Int16.min, Int16.max] { try roundTrip(value) }
        for value in [Int32.min, Int32.max] { try roundTrip(value) }
        for value in [Int64.min, Int64.max] { try roundTrip(value) }
        for value in [Int.min, Int.max] { try roundTrip(value) }
        for value in [UInt8.max, UInt8.min] { try roundTrip(value) }
        try roundTrip(UInt16.max); try roundTrip(UInt32.max)
        for value in [UInt64.max, 0, 127, 128] { try roundTrip(value) }
        for value in [Int128.min, -1, 0, Int128(Int64.max) + 1, Int128.max] { try roundTrip(value) }
        for value in [UInt128.min, UInt128(UInt64.max) + 1, UInt128.max] { try roundTrip(value) }
        try roundTrip([Int128.min, Int128.max])
    }

    @Test func integersInKeyedContainers() throws {
        struct Widths: Codable, Equatable {
            var i8 = Int8.min, i16 = Int16.min, i32 = Int32.min, i64 = Int64.min, i = Int.min
            var u8 = UInt8.max, u16 = UInt16.max, u32 = UInt32.max, u64 = UInt64.max, u = UInt.max
            var i128 = Int128.min, u128 = UInt128.max
        }
        try roundTrip(Widths())
    }

    @Test func floatingPoint() throws {
        let doubles: [Double] = [0, -0.0, 1.5, .pi, .infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude]
        for value in doubles {
            let decoded = try BinaryCodableDecoder().decode(Double.self, from: BinaryCodableEncoder().encode(value))
            #expect(decoded.bitPattern == value.bitPattern)
        }
        let floats: [Float] = [0, -0.0, 1.5, .infinity, -.infinity, .greatestFiniteMagnitude]
        for value in floats {
            let decoded = try BinaryCodableDecoder().decode(Float.self, from: BinaryCodableEncoder().encode(value))
            #expect(decoded.bitPattern == value.bitPattern)
        }
        #expect(try BinaryCodableDecoder().decode(Double.self, from: BinaryCodableEncoder().encode(Double.nan)).isNaN)
        #expect(try BinaryCodableDecoder().decode(Float.self, from: BinaryCodableEncoder().encode(Float.nan)).isNaN)
        let array = try BinaryCodableDecoder().decode([Double].self, from: BinaryCodableEncoder().encode([Double.nan, -0.0]))
        #expect(array[0].isNaN && array[1].bitPattern == (-0.0 as Double).bitPattern)
        struct Fields: Codable { var d: Double; var f: Float }
        let fields = try BinaryCodableDecoder().decode(Fields.self, from: BinaryCodableEncoder().encode(Fields(d: -0.0, f: .nan)))
        #expect(fields.d.sign == .minus && fields.f.isNaN)
    }

    @Test func boolsAndStrings() throws {
        try roundTrip(true)
        try roundTrip(false)
        try roundTrip([true, false])
        for value in ["", "a", "héllo wörld", "日本語", "🦊👩‍👩‍👧‍👦", String(repeating: "x", count: 100_000)] {
            try roundTrip(value)
        }
    }

    @Test func bytesAndData() throws {
        try roundTrip([UInt8]())
        try roundTrip([UInt8](0...255))
        try roundTrip(Data())
        try roundTrip(Data((0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }))
        // A blob is compact: header + key table + tag + length + bytes.
        #expect(try BinaryCodableEncoder().encode([UInt8](repeating: 1, count: 1000)).count == 1000 + 6)
        // Data and [UInt8] share a representation.
        let bytes = try BinaryCodableEncoder().encode(Data([1, 2, 3]))
        #expect(try BinaryCodableDecoder().decode([UInt8].self, from: bytes) == [1, 2, 3])
    }

    @Test func numericArrays() throws {
        try roundTrip([Double](stride(from: -5, to: 5, by: 0.25)))
        try roundTrip([Float](repeating: 2.5, count: 33))
        try roundTrip([Int]((-50...50).map { $0 * 1_000_003 }))
        try roundTrip([Int8](arrayLiteral: -128, 0, 127))
        try roundTrip([UInt16](arrayLiteral: 0, 65535))
        try roundTrip([Int32](arrayLiteral: .min, .max))
        try roundTrip([UInt32](arrayLiteral: .max))
        try roundTrip([Int64](arrayLiteral: .min, .max))
        try roundTrip([UInt64](arrayLiteral: .max))
        try roundTrip([UInt](arrayLiteral: .max))
        try roundTrip([Int16](arrayLiteral: .min))
        try roundTrip([Double]())
        // Raw arrays are written in one copy: 8 bytes per Double.
        #expect(try BinaryCodableEncoder().encode([Double](repeating: 1, count: 100)).count == 2 + 1 + 1 + 1 + 1 + 800)
        // A raw array can be read back element-wise as a different (compatible) type.
        let ints = try BinaryCodableEncoder().encode([Int](arrayLiteral: 1, 2, 300))
        #expect(try BinaryCodableDecoder().decode([Int16].self, from: ints) == [1, 2, 300])
        #expect(try BinaryCodableDecoder().decode(ContiguousArray<Int>.self, from: ints) == [1, 2, 300])
        #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode([UInt8].self, from: ints) }
    }

    // MARK: Composite values

    @Test func nestedStructsAndCollections() throws {
        try roundTrip(sampleValue)
        try roundTrip(Address(street: "x", zip: 1))
        try roundTrip([[1, 2], [], [3]] as [[Int]])
        try roundTrip([[[String]]]([[["a"]], [[]], []]))
    }

    @Test func enumsWithAssociatedValues() throws {
        try roundTrip([Shape.circle(radius: 1), .rect(width: 2, height: 3), .labelled("x", .empty), .labelled("", nil), .empty])
        try roundTrip(Tree.node(.leaf(1), .node(.leaf(2), .leaf(3))))
    }

    @Test func optionals() throws {
        try roundTrip(Int?.none)
        try roundTrip(Int?.some(5))
        try roundTrip(Int??.some(.some(7)))
        try roundTrip(Int??.none)
        // Like JSON, Codable itself collapses .some(nil) to nil.
        #expect(try BinaryCodableDecoder().decode(Int??.self, from: BinaryCodableEncoder().encode(Int??.some(nil))) == nil)
        try roundTrip([1, nil, 3, nil] as [Int?])
        try roundTrip([nil, "b"] as [String?])
        try roundTrip([.some(.some(1)), nil] as [Int??])
        struct Holder: Codable, Equatable { var a: Int?; var b: String?; var c: [Int?]?; var d: Int?? }
        try roundTrip(Holder(a: nil, b: "x", c: [nil, 2], d: .some(.some(1))))
        try roundTrip(Holder(a: 1, b: nil, c: nil, d: nil))
    }

    @Test func omittedOptionalDecodesAsNilAndContainsIsAccurate() throws {
        struct Full: Codable { var a: Int; var b: String? }
        struct Probe: Decodable {
            var hasB: Bool, bIsNil: Bool?, b: String?, hasZ: Bool
            enum K: String, CodingKey { case a, b, z }
            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: K.self)
                hasB = c.contains(.b)
                bIsNil = hasB ? try c.decodeNil(forKey: .b) : nil
                b = try c.decodeIfPresent(String.self, forKey: .b)
                hasZ = c.contains(.z)
                #expect(throws: DecodingError.self) { try c.decodeNil(forKey: .z) }
                #expect(c.allKeys.map(\.stringValue).sorted() == (hasB ? ["a", "b"] : ["a"]))
            }
        }
        let omitted = try BinaryCodableDecoder().decode(Probe.self, from: BinaryCodableEncoder().encode(Full(a: 1, b: nil)))
        #expect(!omitted.hasB && omitted.b == nil && !omitted.hasZ)
        let present = try BinaryCodableDecoder().decode(Probe.self, from: BinaryCodableEncoder().encode(Full(a: 1, b: "q")))
        #expect(present.hasB && present.bIsNil == false && present.b == "q")

        // An explicit encodeNil is present and nil.
        struct ExplicitNil: Encodable {
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: Probe.K.self)
                try c.encode(1, forKey: .a)
                try c.encodeNil(forKey: .b)
            }
        }
        let explicit = try BinaryCodableDecoder().decode(Probe.self, from: BinaryCodableEncoder().encode(ExplicitNil()))
        #expect(explicit.hasB && explicit.bIsNil == true && explicit.b == nil)
    }

    @Test func keysDecodeInAnyOrderAndNestedContainersInterleave() throws {
        try roundTrip(Unusual(a: 4, b: ["x", "yz"], c: nil))
        try roundTrip(Unusual(a: -4, b: [], c: 9))
        struct Forward: Codable { var a = 1, b = "two", c = 3.0, d = [4] }
        struct Backward: Decodable, Equatable {
            var d: [Int], c: Double, b: String, a: Int
            enum K: String, CodingKey { case a, b, c, d }
            init(from decoder: any Decoder) throws {
                let k = try decoder.container(keyedBy: K.self)
                d = try k.decode([Int].self, forKey: .d)
                c = try k.decode(Double.self, forKey: .c)
                b = try k.decode(String.self, forKey: .b)
                a = try k.decode(Int.self, forKey: .a)
            }
        }
        let back = try BinaryCodableDecoder().decode(Backward.self, from: BinaryCodableEncoder().encode(Forward()))
        #expect(back.a == 1 && back.b == "two" && back.c == 3 && back.d == [4])
    }

    @Test func dictionaries() throws {
        try roundTrip(["a": [1, 2], "": [], "ü": [3]] as [String: [Int]])
        try roundTrip([1: "one", -2: "minus two", Int.max: "max"] as [Int: String])
        try roundTrip([String: [Int]]())
        let big = Dictionary(uniqueKeysWithValues: (0..<2000).map { ("key\($0)", [$0]) })
        try roundTrip(big)
        try roundTrip([2.5: "x"] as [Double: String])
    }

    @Test func classInheritanceWithSuperEncoder() throws {
        let dog = Dog(name: "Rex", breed: "Collie")
        let decoded = try BinaryCodableDecoder().decode(Dog.self, from: BinaryCodableEncoder().encode(dog))
        #expect(decoded.name == "Rex" && decoded.breed == "Collie")
        // The same decoder handed to super: both containers share one keyed value.
        final class Shared: Animal {
            var extra = 0
            enum K: String, CodingKey { case extra }
            init(name: String, extra: Int) { self.extra = extra; super.init(name: name) }
            required init(from decoder: any Decoder) throws {
                extra = try decoder.container(keyedBy: K.self).decode(Int.self, forKey: .extra)
                try super.init(from: decoder)
            }
            override func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: K.self)
                try c.encode(extra, forKey: .extra)
                try super.encode(to: encoder)
            }
        }
        let shared = try BinaryCodableDecoder().decode(Shared.self, from: BinaryCodableEncoder().encode(Shared(name: "n", extra: 7)))
        #expect(shared.name == "n" && shared.extra == 7)
    }

    @Test func datesAndUserInfo() throws {
        let date = Date(timeIntervalSinceReferenceDate: 712_345_678.125)
        try roundTrip(date)
        let key = CodingUserInfoKey(rawValue: "flag")!
        struct Reads: Codable {
            var seen: Bool
            init(seen: Bool) { self.seen = seen }
            init(from decoder: any Decoder) throws { seen = decoder.userInfo[CodingUserInfoKey(rawValue: "flag")!] as? Bool ?? false }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.singleValueContainer()
                try c.encode(encoder.userInfo[CodingUserInfoKey(rawValue: "flag")!] as? Bool ?? false)
            }
        }
        let bytes = try BinaryCodableEncoder(userInfo: [key: true]).encode(Reads(seen: false))
        #expect(try BinaryCodableDecoder().decode(Bool.self, from: bytes))
        #expect(try BinaryCodableDecoder(userInfo: [key: true]).decode(Reads.self, from: bytes).seen)
    }

    @Test func codingPathsAreReported() throws {
        struct Spy: Codable {
            var path: String
            init(path: String) { self.path = path }
            init(from decoder: any Decoder) throws { path = decoder.codingPath.map(\.stringValue).joined(separator: "/") }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.singleValueContainer()
                try c.encode(encoder.codingPath.map(\.stringValue).joined(separator: "/"))
            }
        }
        struct Outer: Codable { var items: [Spy] }
        let bytes = try BinaryCodableEncoder().encode(Outer(items: [Spy(path: ""), Spy(path: "")]))
        #expect(try BinaryCodableDecoder().decode([String: [String]].self, from: bytes) == ["items": ["items/Index 0", "items/Index 1"]])
        #expect(try BinaryCodableDecoder().decode(Outer.self, from: bytes).items.map(\.path) == ["items/Index 0", "items/Index 1"])

        // Errors name the path and byte offset.
        struct Wants: Decodable { var items: [Address] }
        struct Has: Encodable { var items: [[String: String]] }
        let wrong = try BinaryCodableEncoder().encode(Has(items: [["street": "s", "zip": "z"]]))
        let error = try #require(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode(Wants.self, from: wrong) }
        #expect(error.direction == .decoding && error.serializer == "binary-codable")
        #expect(error.position.hasPrefix("items[0].zip, byte "))
        #expect(error.type.hasSuffix("Wants"))
    }

    @Test func serializerConformance() throws {
        let serializer = BinaryCodableSerializer<[Person]>()
        #expect(serializer.id == "binary-codable" && serializer.formatVersion == 1)
        let bytes = try serializer.encode(sampleValue)
        #expect(try serializer.decode(bytes) == sampleValue)
        #expect(throws: CacheSerializationError.self) { try serializer.decode([1, 2, 3]) }
    }

    @Test func depthLimit() throws {
        var tree = Tree.leaf(0)
        for i in 0..<50 { tree = .node(tree, .leaf(i)) }
        try roundTrip(tree)
        let shallow = BinaryCodableDecoder(maxDepth: 20)
        let bytes = try BinaryCodableEncoder().encode(tree)
        let error = try #require(throws: CacheSerializationError.self) { try shallow.decode(Tree.self, from: bytes) }
        #expect(error.reason.contains("deeper"))
        #expect(throws: CacheSerializationError.self) { try BinaryCodableEncoder(maxDepth: 20).encode(tree) }
    }

    @Test func encoderMisuseThrows() throws {
        struct TwoSingles: Encodable {
            func encode(to encoder: any Encoder) throws {
                var c = encoder.singleValueContainer()
                try c.encode(1)
                try c.encode(2)
            }
        }
        #expect(throws: CacheSerializationError.self) { try BinaryCodableEncoder().encode(TwoSingles()) }
        struct Mixed: Encodable {
            func encode(to encoder: any Encoder) throws {
                var k = encoder.container(keyedBy: BinaryCodableTestsKey.self)
                try k.encode(1, forKey: .x)
                var u = encoder.unkeyedContainer()
                try u.encode(2)
            }
        }
        #expect(throws: CacheSerializationError.self) { try BinaryCodableEncoder().encode([Mixed()]) }
        struct Throws: Encodable {
            func encode(to encoder: any Encoder) throws { throw CancellationError() }
        }
        let error = try #require(throws: CacheSerializationError.self) { try BinaryCodableEncoder().encode(["a": Throws()]) }
        #expect(error.direction == .encoding && error.position == "a" && error.reason.contains("CancellationError"))
    }

    // MARK: Bad input

    @Test func emptyAndWrongHeader() throws {
        let decoder = BinaryCodableDecoder()
        #expect(throws: CacheSerializationError.self) { try decoder.decode(Int.self, from: [UInt8]()) }
        #expect(throws: CacheSerializationError.self) { try decoder.decode(Int.self, from: UnsafeRawBufferPointer(start: nil, count: 0)) }
        var bytes = try BinaryCodableEncoder().encode(42)
        #expect(try decoder.decode(Int.self, from: bytes) == 42)
        bytes[0] = 0x7B  // "{"
        let magic = try #require(throws: CacheSerializationError.self) { try decoder.decode(Int.self, from: bytes) }
        #expect(magic.reason.contains("magic") && magic.position == "byte 0")
        bytes[0] = 0xB7
        bytes[1] = 99
        let version = try #require(throws: CacheSerializationError.self) { try decoder.decode(Int.self, from: bytes) }
        #expect(version.reason.contains("version"))
        // Trailing bytes are rejected.
        let trailing = try BinaryCodableEncoder().encode(42) + [0]
        #expect(throws: CacheSerializationError.self) { try decoder.decode(Int.self, from: trailing) }
    }

    @Test func everyTruncationThrows() throws {
        let bytes = try BinaryCodableEncoder().encode(sampleValue)
        for length in 0..<bytes.count {
            #expect(throws: CacheSerializationError.self, "prefix \(length)") {
                try BinaryCodableDecoder().decode([Person].self, from: Array(bytes[..<length]))
            }
        }
        let shapes = try BinaryCodableEncoder().encode([Shape.labelled("x", .rect(width: 1, height: 2)), .empty])
        for length in 0..<shapes.count {
            #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode([Shape].self, from: Array(shapes[..<length])) }
        }
    }

    @Test func randomGarbageNeverCrashes() throws {
        var rng = SplitMix64(seed: 0xC0FFEE)
        let valid = try BinaryCodableEncoder().encode(sampleValue)
        var decodedCount = 0
        for round in 0..<4000 {
            var bytes: [UInt8]
            switch round % 4 {
            case 0:  // pure noise
                bytes = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 1:  // noise behind a valid header
                bytes = [0xB7, 1] + (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            default:  // a valid encoding with a few bytes flipped
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            if (try? BinaryCodableDecoder().decode([Person].self, from: bytes)) != nil { decodedCount += 1 }
            _ = try? BinaryCodableDecoder().decode([String: [Int]].self, from: bytes)
            _ = try? BinaryCodableDecoder().decode(Shape.self, from: bytes)
            _ = try? BinaryCodableDecoder().decode([Double].self, from: bytes)
            _ = try? BinaryCodableDecoder().decode(Tree.self, from: bytes)
            // Whatever happens, it is a CacheSerializationError.
            do {
                _ = try BinaryCodableDecoder().decode([Person].self, from: bytes)
            } catch {
                #expect(error is CacheSerializationError)
            }
        }
        #expect(decodedCount < 4000)
    }

    @Test func hugeLengthPrefixes() throws {
        // A string claiming 2^60 bytes.
        var huge: [UInt8] = [0xB7, 1, 0, 0x07]
        var length: UInt64 = 1 << 60
        while length >= 0x80 { huge.append(UInt8(length & 0x7F) | 0x80); length >>= 7 }
        huge.append(UInt8(length))
        huge += [0x61, 0x62]
        let error = try #require(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode(String.self, from: huge) }
        #expect(error.reason.contains("exceeds"))
        // The same claim as a blob, a container, an element count, a raw array and a key table.
        for tag: UInt8 in [0x08, 0x09, 0x0A] {
            huge[3] = tag
            #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode([UInt8].self, from: huge) }
        }
        let array: [UInt8] = [0xB7, 1, 0, 0x0B, 10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, 0, 0]
        #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode([Double].self, from: array) }
        #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode([Int16].self, from: array) }
        let elements: [UInt8] = [0xB7, 1, 0, 0x0A, 3, 0xFF, 0xFF, 0x7F]
        #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode([Int].self, from: elements) }
        let keys: [UInt8] = [0xB7, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00]
        #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode(Int.self, from: keys) }
        let overflow: [UInt8] = [0xB7, 1, 0, 0x03] + [UInt8](repeating: 0xFF, count: 11) + [0x01]
        #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode(Int.self, from: overflow) }
    }

    @Test func typeMismatches() throws {
        let string = try BinaryCodableEncoder().encode("hello")
        let error = try #require(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode(Int.self, from: string) }
        #expect(error.reason.contains("type mismatch") && error.type == "Swift.Int")
        #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode(Address.self, from: string) }
        #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode([String].self, from: string) }
        #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode(Bool.self, from: string) }
        // Out of range integers are rejected, not truncated.
        #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode(UInt8.self, from: BinaryCodableEncoder().encode(256)) }
        #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode(UInt.self, from: BinaryCodableEncoder().encode(-1)) }
        #expect(try BinaryCodableDecoder().decode(Int64.self, from: BinaryCodableEncoder().encode(UInt8(200))) == 200)
        // A nil where a value is required.
        #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode(Int.self, from: BinaryCodableEncoder().encode(Int?.none)) }
        // A missing key.
        struct Wider: Codable { var street: String; var zip: Int32; var country: String }
        let missing = try #require(throws: CacheSerializationError.self) {
            try BinaryCodableDecoder().decode(Wider.self, from: BinaryCodableEncoder().encode(Address(street: "s", zip: 1)))
        }
        #expect(missing.position.hasPrefix("country"))
        // Invalid UTF-8 is rejected rather than repaired.
        var bad = try BinaryCodableEncoder().encode("ab")
        bad[bad.count - 1] = 0xFF
        #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode(String.self, from: bad) }
    }
}

private enum BinaryCodableTestsKey: String, CodingKey { case x }

@Suite("BinaryCodable integer arrays")
struct BinaryCodableIntegerArrayTests {
    @Test func narrowedIntegerArraysRoundTrip() throws {
        let cases: [[Int]] = [[], [0], [255], [256], [-1], [-128, 127], [-129], [65_535], [65_536], [-32_769],
                              [Int(UInt32.max)], [Int(UInt32.max) + 1], [Int(Int32.min) - 1], [.min, .max], [1, 2, 3]]
        for value in cases {
            let bytes = try BinaryCodableEncoder().encode(value)
            #expect(try BinaryCodableDecoder().decode([Int].self, from: bytes) == value)
            #expect(try BinaryCodableDecoder().decode([Int64].self, from: bytes) == value.map(Int64.init))
        }
        // Small values take one byte each.
        #expect(try BinaryCodableEncoder().encode([Int](repeating: 7, count: 100)).count == 2 + 1 + 3 + 100)
        for value: [UInt64] in [[0], [.max], [1 << 40]] {
            #expect(try BinaryCodableDecoder().decode([UInt64].self, from: BinaryCodableEncoder().encode(value)) == value)
        }
        for value: [Int16] in [[.min, .max], [-1, 1], [300]] {
            #expect(try BinaryCodableDecoder().decode([Int16].self, from: BinaryCodableEncoder().encode(value)) == value)
        }
        #expect(throws: CacheSerializationError.self) { try BinaryCodableDecoder().decode([UInt].self, from: BinaryCodableEncoder().encode([-1])) }
        #expect(try BinaryCodableDecoder().decode([Double].self, from: BinaryCodableEncoder().encode([1, 2])) == [1, 2])
    }
}
