import CacheCore
@testable import CacheJoblib
import Foundation
import Testing

/// Interoperability with real numpy (`python3 -c 'import numpy'`). Skipped with a printed
/// reason when numpy is missing, unless SWIFT_CACHE_REQUIRE_SERVICES=1 (CI), where it fails.
@Suite struct NumPyInteropTests {
    struct Expected: Encodable {
        var path: String
        var dtype: String
        var shape: [Int]
        var values: [Double]
    }

    @Test func swiftWrittenFilesLoadInNumPy() throws {
        guard NumPyPython.require("swiftWrittenFilesLoadInNumPy") else { return }
        let dir = TemporaryDirectory("interop")
        defer { dir.cleanup() }
        var expected: [Expected] = []
        func add<E: NumPyElement>(_ values: [E], _ shape: [Int], _ asDouble: (E) -> Double) throws {
            let path = dir.file("\(expected.count)-\(E.numpyType.numpyName).npy")
            try NumPyFile.write(try ShapedArray(values, shape: shape), to: path)
            expected.append(Expected(path: path, dtype: E.numpyType.numpyName, shape: shape, values: values.map(asDouble)))
        }
        try add((0..<12).map { Double($0) * 1.5 - 3 }, [3, 4], { $0 })
        try add([Float(0.25), -1e30, 7], [3], { Double($0) })
        #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
        try add([Float16(0.5), -2, 1024], [1, 3], { Double($0) })
        #endif
        try add([Int8.min, -1, Int8.max], [3], { Double($0) })
        try add([Int16.min, Int16.max], [2], { Double($0) })
        try add([Int32.min, Int32.max], [2, 1], { Double($0) })
        try add([Int64(-(1 << 52)), 1 << 52], [2], { Double($0) })
        try add([UInt8(0), 255], [2], { Double($0) })
        try add([UInt16.max, 1], [2], { Double($0) })
        try add([UInt32.max], [1], { Double($0) })
        try add([UInt64(1) << 53], [1], { Double($0) })
        try add([true, false, true, true], [2, 2], { $0 ? 1 : 0 })
        try add([3.25], [], { $0 })
        try add([Double](), [0, 3], { $0 })
        // And a file the cache itself wrote.
        let cache = try ArrayCache(directory: dir.file("cache"))
        let key = try CacheKey(name: "interop", arguments: 1)
        let big = try ShapedArray((0..<100_000).map { Double($0).squareRoot() }, shape: [250, 400])
        try cache.setArray(big, forKey: key)
        let entry = try #require(try cache.entry(forKey: key))
        expected.append(Expected(path: dir.file("cache/" + entry.file), dtype: "float64", shape: [250, 400], values: big.elements))

        let spec = dir.file("expected.json")
        try JSONEncoder().encode(expected).write(to: URL(fileURLWithPath: spec))
        let output = try NumPyPython.script("""
            import json, sys, numpy as np
            for e in json.load(open(sys.argv[1])):
                for mode in (None, 'r'):
                    a = np.load(e['path'], mmap_mode=mode, allow_pickle=False)
                    assert a.dtype.name == e['dtype'], (e['path'], a.dtype.name)
                    assert a.dtype.byteorder in ('<', '=', '|'), a.dtype
                    assert list(a.shape) == e['shape'], (e['path'], a.shape)
                    assert a.flags['C_CONTIGUOUS']
                    want = np.array(e['values'], dtype=np.float64).reshape(e['shape'])
                    assert np.array_equal(a.astype(np.float64), want), (e['path'], a.ravel()[:5], want.ravel()[:5])
            print('ok', len(json.load(open(sys.argv[1]))))
            """, [spec])
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok \(expected.count)")
    }

    @Test func numpyWrittenFilesLoadInSwift() throws {
        guard NumPyPython.require("numpyWrittenFilesLoadInSwift") else { return }
        let dir = TemporaryDirectory("interop")
        defer { dir.cleanup() }
        _ = try NumPyPython.script("""
            import sys, os, numpy as np
            d = sys.argv[1]
            np.save(os.path.join(d, 'f8.npy'), (np.arange(12, dtype='<f8') * 1.5).reshape(3, 4))
            np.save(os.path.join(d, 'f4.npy'), np.array([0.25, -1.0, 3e38], dtype='<f4'))
            np.save(os.path.join(d, 'f2.npy'), np.array([0.5, -2, 1024], dtype='<f2'))
            np.save(os.path.join(d, 'i2.npy'), np.array([[-32768, 1], [2, 32767]], dtype='<i2'))
            np.save(os.path.join(d, 'u1.npy'), np.arange(256, dtype='u1'))
            np.save(os.path.join(d, 'i8.npy'), np.array([-(1 << 62), 1 << 62], dtype='<i8'))
            np.save(os.path.join(d, 'b1.npy'), np.array([True, False, True]))
            np.save(os.path.join(d, 'scalar.npy'), np.float64(2.75))
            np.save(os.path.join(d, 'empty.npy'), np.zeros((0, 7), dtype='<u4'))
            with open(os.path.join(d, 'v2.npy'), 'wb') as f:
                np.lib.format.write_array(f, np.arange(5, dtype='<i4'), version=(2, 0))
            np.save(os.path.join(d, 'big-endian.npy'), np.arange(4, dtype='>f8'))
            np.save(os.path.join(d, 'big-endian-i4.npy'), np.arange(4, dtype='>i4'))
            np.save(os.path.join(d, 'fortran.npy'), np.asfortranarray(np.arange(6, dtype='<f8').reshape(2, 3)))
            np.save(os.path.join(d, 'fortran-1d.npy'), np.asfortranarray(np.arange(3, dtype='<f8')))
            np.save(os.path.join(d, 'complex.npy'), np.array([1 + 2j]))
            """, [dir.path])
        for mode in [ArrayLoadMode.memoryMapped, .copy] {
            func load<E: NumPyElement>(_ name: String, _ type: E.Type) throws -> ShapedArray<E> {
                try NumPyFile.load(path: dir.file(name), as: type, mode: mode)
            }
            let f8 = try load("f8.npy", Double.self)
            #expect(f8.shape == [3, 4] && f8.elements == (0..<12).map { Double($0) * 1.5 } && f8[2, 3] == 16.5)
            #expect(try load("f4.npy", Float.self).elements == [0.25, -1, 3e38])
            #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
            #expect(try load("f2.npy", Float16.self).elements == [0.5, -2, 1024])
            #endif
            let i2 = try load("i2.npy", Int16.self)
            #expect(i2.shape == [2, 2] && i2.elements == [-32768, 1, 2, 32767])
            #expect(try load("u1.npy", UInt8.self).elements == (0...255).map { UInt8($0) })
            #expect(try load("i8.npy", Int64.self).elements == [-(1 << 62), 1 << 62])
            #expect(try load("i8.npy", Int.self).elements == [-(1 << 62), 1 << 62])
            #expect(try load("b1.npy", Bool.self).elements == [true, false, true])
            let scalar = try load("scalar.npy", Double.self)
            #expect(scalar.shape == [] && scalar.elements == [2.75])
            let empty = try load("empty.npy", UInt32.self)
            #expect(empty.shape == [0, 7] && empty.count == 0)
            #expect(try load("v2.npy", Int32.self).elements == [0, 1, 2, 3, 4])
            #expect(try load("fortran-1d.npy", Double.self).elements == [0, 1, 2], "1-d Fortran order is C order")
            for (name, reason) in [
                ("big-endian.npy", NumPyFormatError.Reason.bigEndian(">f8")), ("big-endian-i4.npy", .bigEndian(">i4")),
                ("fortran.npy", .fortranOrder), ("complex.npy", .unsupportedDType("<c16")),
            ] {
                #expect(throws: NumPyFormatError.self, "\(name)") { _ = try load(name, Double.self) }
                do { _ = try NumPyFile.load(path: dir.file(name), mode: mode) } catch let error as NumPyFormatError {
                    #expect(error.reason == reason, "\(name): \(error)")
                }
            }
            #expect(throws: NumPyFormatError.self) { _ = try load("f8.npy", Float.self) }
        }
    }
}
