import CacheCore
import CacheKlepto
import Testing

@Suite struct KeymapTests {
    func archiveKey<A: Encodable>(_ keymap: KleptoKeymap, _ value: A) throws -> CacheKey {
        try keymap.archiveKey(for: CacheKey(name: "f", arguments: value))
    }

    @Test(arguments: KleptoKeymap.Encoding.allCases)
    func toleranceSharesNearValues(encoding: KleptoKeymap.Encoding) throws {
        let map = try KleptoKeymap(encoding, tolerance: 0.001)
        #expect(try archiveKey(map, 1.0001) == archiveKey(map, 1.0002))
        #expect(try archiveKey(map, 1.0001) == archiveKey(map, 1.0))
        #expect(try archiveKey(map, 1.0004) != archiveKey(map, 1.0006))
        #expect(try archiveKey(map, 1.0006) == archiveKey(map, 1.001))
    }

    @Test func toleranceRoundsHalfToEvenAtTheBoundary() throws {
        // 0.25 is exact in binary: 0.125 / 0.25 = 0.5 → 0, 0.375 → 1.5 → 2, 0.625 → 2.5 → 2.
        let map = try KleptoKeymap(.canonical, tolerance: 0.25)
        #expect(try archiveKey(map, 0.125) == archiveKey(map, 0.0))
        #expect(try archiveKey(map, 0.375) == archiveKey(map, 0.5))
        #expect(try archiveKey(map, 0.625) == archiveKey(map, 0.5))
        #expect(try archiveKey(map, 0.875) == archiveKey(map, 1.0))
        #expect(try archiveKey(map, 0.625) != archiveKey(map, 0.6250001))
        #expect(try archiveKey(map, -0.125) == archiveKey(map, 0.0))
    }

    @Test func negativeZeroNaNAndInfinity() throws {
        let map = try KleptoKeymap(.canonical, tolerance: 0.001)
        #expect(try archiveKey(map, -0.0) == archiveKey(map, 0.0))
        #expect(try archiveKey(map, -0.0001) == archiveKey(map, 0.0))
        #expect(try archiveKey(map, Double.nan) == archiveKey(map, -Double.nan))
        #expect(try archiveKey(map, Double.nan) != archiveKey(map, 0.0))
        #expect(try archiveKey(map, Double.infinity) != archiveKey(map, -Double.infinity))
        #expect(try archiveKey(map, Double.greatestFiniteMagnitude) != archiveKey(map, Double.infinity))
        #expect(try archiveKey(map, Float(1.0001)) == archiveKey(map, Float(1.0002)))
        #expect(try archiveKey(map, Float(1.0001)) != archiveKey(map, 1.0001), "Float and Double stay distinct")
    }

    @Test func toleranceReachesNestedArguments() throws {
        struct Point: Codable { var x: Double; var y: Double; var label: String }
        let map = try KleptoKeymap(.hashing, tolerance: 0.01)
        #expect(try archiveKey(map, [1.001, 2.002]) == archiveKey(map, [1.0, 2.0]))
        #expect(try archiveKey(map, Optional(3.001)) == archiveKey(map, Optional(3.0)))
        #expect(try archiveKey(map, ["a": [0.501]]) == archiveKey(map, ["a": [0.5]]))
        #expect(try archiveKey(map, Point(x: 1.004, y: -2.001, label: "p")) == archiveKey(map, Point(x: 1.0, y: -2.0, label: "p")))
        #expect(try archiveKey(map, Point(x: 1.0, y: 2, label: "p")) != archiveKey(map, Point(x: 1.0, y: 2, label: "q")))
        // A set whose elements round together keeps a canonical order.
        #expect(try archiveKey(map, Set([1.004, 2.0])) == archiveKey(map, Set([2.001, 1.0])))
        let a = try map.archiveKey(for: CacheKey(name: "g", arguments: 1.001, "x", [0.499]))
        let b = try map.archiveKey(for: CacheKey(name: "g", arguments: 1.0, "x", [0.5]))
        #expect(a == b)
    }

    @Test func ignoredPositions() throws {
        let map = try KleptoKeymap(.canonical, ignoring: [1])
        let a = try map.archiveKey(for: CacheKey(name: "f", arguments: 10, true, "z"))
        let b = try map.archiveKey(for: CacheKey(name: "f", arguments: 10, false, "z"))
        let c = try map.archiveKey(for: CacheKey(name: "f", arguments: 11, false, "z"))
        #expect(a == b)
        #expect(a != c)
        #expect(throws: CacheConfigurationError.self) { try KleptoKeymap(ignoring: [-1]) }
        #expect(throws: CacheConfigurationError.self) { try KleptoKeymap(tolerance: 0) }
        #expect(throws: CacheConfigurationError.self) { try KleptoKeymap(tolerance: .nan) }
    }

    @Test func stringKeymapIsTypeTagged() throws {
        let text = { (k: CacheKey) in String(decoding: k.encodedArguments, as: UTF8.self) }
        #expect(text(try archiveKey(.string, 1)) == "(int:1)")
        #expect(text(try archiveKey(.string, "1")) == "(string:\"1\")")
        #expect(text(try archiveKey(.string, 1.5)) == "(double:1.5)")
        #expect(text(try archiveKey(.string, true)) == "(bool:true)")
        #expect(text(try archiveKey(.string, Int8(-3))) == "(int8:-3)")
        #expect(text(try archiveKey(.string, "a\"b")) == "(string:\"a\\\"b\")")
        let keys = try [archiveKey(.string, 1), archiveKey(.string, "1"), archiveKey(.string, 1.0), archiveKey(.string, true),
                        archiveKey(.string, [1, 2]), archiveKey(.string, [2, 1])]
        #expect(Set(keys).count == keys.count)
    }

    @Test func hashingIsStableAndCanonicalIsTheEncoding() throws {
        let k = try CacheKey(name: "f", arguments: 42, "x")
        let hashed = try KleptoKeymap.hashing.archiveKey(for: k)
        #expect(hashed.encodedArguments.count == 17)
        #expect(Array(hashed.encodedArguments.dropFirst()) == CacheHash.digest(k.encodedArguments).bytes)
        #expect(try KleptoKeymap.canonical.archiveKey(for: k) == k)
        #expect(hashed.namespace == "f")
    }

    @Test func malformedArgumentsAreATypedError() {
        let k = CacheKey(namespace: "f", encodedArguments: [0xFF, 0x01])
        #expect(throws: CacheSerializationError.self) { try KleptoKeymap.string.archiveKey(for: k) }
        #expect(throws: CacheSerializationError.self) { try KleptoKeymap(tolerance: 0.1).archiveKey(for: k) }
    }

    @Test func toleranceThroughTheCache() throws {
        let cache = try KleptoCache<CacheKey, String>(archive: MemoryArchive(), keymap: KleptoKeymap(tolerance: 0.001))
        let calls = Mutex(0)
        let f = try Memoized(store: cache, name: "f") { (x: Double) -> String in
            calls.withLock { $0 += 1 }
            return "f(\(x))"
        }
        #expect(try f(1.0001) == "f(1.0001)")
        #expect(try f(1.0002) == "f(1.0001)", "1.0002 shares 1.0001's entry")
        #expect(try f(1.0006) == "f(1.0006)")
        #expect(calls.withLock { $0 } == 2)
    }
}

import Synchronization
