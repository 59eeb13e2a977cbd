import CacheCore
@testable import CacheJoblib
import Foundation
import Testing

@Suite struct ArrayTableTests {
    static func sampleTable() throws -> ArrayTable {
        let price: ShapedArray<Double> = try ShapedArray((0..<1000).map { Double($0) * 0.25 })
        let volume: ShapedArray<Int32> = try ShapedArray((0..<1000).map { Int32($0 * 3) })
        let halted: ShapedArray<Bool> = try ShapedArray((0..<1000).map { $0 % 7 == 0 })
        let pairs: ShapedArray<UInt8> = try ShapedArray((0..<2000).map { UInt8($0 % 256) }, shape: [1000, 2])
        return try ArrayTable(("price", price), ("volume", volume), ("halted", halted), ("odd, name=1:%", pairs))
    }

    @Test func tablesRoundTripAsDirectoriesOfColumns() throws {
        let dir = TemporaryDirectory("table")
        defer { dir.cleanup() }
        let cache = try ArrayCache(directory: dir.path)
        let key = try CacheKey(name: "load-ticks", arguments: "2026-11-25")
        let table = try Self.sampleTable()
        try cache.setTable(table, forKey: key)
        let loaded = try #require(try ArrayCache(directory: dir.path).table(forKey: key))
        #expect(loaded.columnNames == ["price", "volume", "halted", "odd, name=1:%"])
        #expect(loaded.rowCount == 1000)
        #expect(try loaded.column("price", as: Double.self) == table.column("price", as: Double.self))
        #expect(try loaded.column("volume", as: Int32.self).elements == (0..<1000).map { Int32($0 * 3) })
        #expect(try loaded.column("halted", as: Bool.self)[flat: 14] == true)
        #expect(try loaded.column("odd, name=1:%", as: UInt8.self).shape == [1000, 2])
        #expect(throws: NumPyFormatError.self) { _ = try loaded.column("price", as: Float.self) }
        let entry = try #require(try cache.entry(forKey: key))
        #expect(entry.kind == .table)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: dir.file(entry.file)))
        #expect(files == ["price.npy", "volume.npy", "halted.npy", "column-3.npy"])
        // Asking for an array where a table is stored is a miss, never a wrong value.
        #expect(try cache.array(forKey: key, as: [Double].self) == nil)
    }

    @Test func badTablesAreRejected() throws {
        let a = AnyShapedArray(try ShapedArray([1.0, 2]))
        let b = AnyShapedArray(try ShapedArray([1.0, 2, 3]))
        #expect(throws: ArrayTableError.self) { _ = try ArrayTable(columns: [("a", a), ("b", b)]) }
        #expect(throws: ArrayTableError.self) { _ = try ArrayTable(columns: [("a", a), ("a", a)]) }
        #expect(throws: ArrayTableError.self) { _ = try ArrayTable(columns: [("", a)]) }
        #expect(throws: ArrayTableError.self) { _ = try ArrayTable(columns: [("s", AnyShapedArray(try ShapedArray([1.0], shape: [])))]) }
    }

    @Test func damagedColumnMakesTheTableAMiss() throws {
        let dir = TemporaryDirectory("table")
        defer { dir.cleanup() }
        let cache = try ArrayCache(directory: dir.path)
        let key = try CacheKey(name: "t", arguments: 1)
        try cache.setTable(try Self.sampleTable(), forKey: key)
        let entry = try #require(try cache.entry(forKey: key))
        truncate(dir.file(entry.file + "/volume.npy"), 200)
        #expect(try cache.table(forKey: key) == nil)
        #expect(try !cache.contains(key))
        #expect(!FileManager.default.fileExists(atPath: dir.file(entry.file)), "the damaged table directory is removed")
    }

    @Test func tableColumnsLoadInNumPy() throws {
        guard NumPyPython.require("tableColumnsLoadInNumPy") else { return }
        let dir = TemporaryDirectory("table")
        defer { dir.cleanup() }
        let cache = try ArrayCache(directory: dir.path)
        let key = try CacheKey(name: "t", arguments: 2)
        try cache.setTable(try Self.sampleTable(), forKey: key)
        let entry = try #require(try cache.entry(forKey: key))
        let output = try NumPyPython.script("""
            import sys, os, numpy as np
            d = sys.argv[1]
            p = np.load(os.path.join(d, 'price.npy')); v = np.load(os.path.join(d, 'volume.npy'))
            h = np.load(os.path.join(d, 'halted.npy')); o = np.load(os.path.join(d, 'column-3.npy'))
            assert p.dtype == np.float64 and np.array_equal(p, np.arange(1000) * 0.25)
            assert v.dtype == np.int32 and np.array_equal(v, np.arange(1000, dtype=np.int32) * 3)
            assert h.dtype == np.bool_ and np.array_equal(h, np.arange(1000) % 7 == 0)
            assert o.shape == (1000, 2) and o.dtype == np.uint8
            print('ok')
            """, [dir.file(entry.file)])
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
    }
}
