import CacheCore
@testable import CacheJoblib
import Foundation
import Testing

@Suite struct NumPyFileTests {
    func roundTrip<E: NumPyElement>(_ values: [E], shape: [Int], in dir: TemporaryDirectory) throws {
        let array = try ShapedArray(values, shape: shape)
        let path = dir.file("\(E.numpyType.numpyName)-\(shape.count).npy")
        try NumPyFile.write(array, to: path)
        for mode in [ArrayLoadMode.memoryMapped, .copy, .default] {
            let loaded = try NumPyFile.load(path: path, as: E.self, mode: mode)
            #expect(loaded == array, "\(E.self) \(shape) \(mode)")
            #expect(loaded.shape == shape)
            #expect(loaded.isMemoryMapped == (mode == .memoryMapped))
        }
    }

    @Test func everyElementTypeRoundTrips() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        try roundTrip([1.5, -2.25, .infinity, 0, 7, 8] as [Double], shape: [2, 3], in: dir)
        try roundTrip([1.5, -2.25, 3] as [Float], shape: [3], in: dir)
        #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
        try roundTrip([Float16(1.5), -2, 65504], shape: [3, 1], in: dir)
        #endif
        try roundTrip([Int8.min, 0, Int8.max], shape: [3], in: dir)
        try roundTrip([Int16.min, 0, Int16.max, 5], shape: [2, 2], in: dir)
        try roundTrip([Int32.min, Int32.max], shape: [2], in: dir)
        try roundTrip([Int64.min, Int64.max], shape: [1, 2], in: dir)
        try roundTrip([UInt8.max, 0], shape: [2], in: dir)
        try roundTrip([UInt16.max], shape: [1], in: dir)
        try roundTrip([UInt32.max, 1], shape: [2], in: dir)
        try roundTrip([UInt64.max, 1], shape: [2], in: dir)
        try roundTrip([true, false, true], shape: [3], in: dir)
        try roundTrip([42.0], shape: [], in: dir)                    // a 0-d scalar
        try roundTrip([Double](), shape: [0, 5], in: dir)            // an empty array
        try roundTrip(Array(0..<1000), shape: [10, 10, 10], in: dir)
    }

    @Test func headerMatchesNumPyLayout() throws {
        let header = NumPyHeader.encode(elementType: .float64, shape: [1_000_000])
        #expect(header.count % 64 == 0)
        #expect(Array(header.prefix(8)) == NumPyHeader.magic + [1, 0])
        let text = String(decoding: header.dropFirst(10), as: UTF8.self)
        #expect(text.hasPrefix("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000,), }"))
        #expect(text.hasSuffix(" \n"))
        let parsed = try header.withUnsafeBytes { try NumPyHeader.parse($0) }
        #expect(parsed.shape == [1_000_000] && parsed.elementType == .float64 && parsed.dataOffset == header.count)
        // Hand-written headers in other valid spellings parse too.
        for dict in ["{\"shape\": (2, 3), \"fortran_order\": False, \"descr\": \"<i4\"}",
                     "{'descr':'<i4','fortran_order':False,'shape':(2,3)}   \n",
                     "{'descr': '<i4', 'fortran_order': True, 'shape': (6,), }"] {
            let bytes = Self.npy(dict: dict, body: [UInt8](repeating: 0, count: 24))
            let parsed = try bytes.withUnsafeBytes { try NumPyHeader.parse($0) }
            #expect(parsed.elementType == .int32 && parsed.elementCount == 6)
        }
    }

    /// A `.npy` with the given dict (format 1.0), unpadded.
    static func npy(dict: String, body: [UInt8], major: UInt8 = 1) -> [UInt8] {
        let text = Array(dict.utf8)
        var out = NumPyHeader.magic + [major, 0]
        if major == 1 {
            out += [UInt8(text.count & 0xFF), UInt8(text.count >> 8)]
        } else {
            out += [UInt8(text.count & 0xFF), UInt8((text.count >> 8) & 0xFF), 0, 0]
        }
        return out + text + body
    }

    func expectRejected(_ bytes: [UInt8], _ expected: (NumPyFormatError.Reason) -> Bool, _ comment: Comment) throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.file("bad.npy")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        for mode in [ArrayLoadMode.memoryMapped, .copy] {
            do {
                let loaded = try NumPyFile.load(path: path, as: Double.self, mode: mode)
                Issue.record("\(comment): loaded \(loaded) instead of failing (\(mode))")
            } catch let error as NumPyFormatError {
                #expect(expected(error.reason), "\(comment): got \(error)")
                #expect(error.path == path)
            }
        }
    }

    @Test func badFilesAreTypedErrors() throws {
        let eight = [UInt8](repeating: 0, count: 8)
        try expectRejected(Array("PK\u{3}\u{4}notnumpy".utf8), { $0 == .badMagic }, "zip file")
        try expectRejected([], { $0 == .badMagic }, "empty file")
        try expectRejected(NumPyHeader.magic + [9, 0, 10, 0], { if case .unsupportedVersion = $0 { true } else { false } }, "version 9")
        try expectRejected(NumPyHeader.magic + [1, 0, 200, 0] + Array("{'descr'".utf8), { if case .truncatedHeader = $0 { true } else { false } }, "truncated header")
        try expectRejected(Self.npy(dict: "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", body: eight),
                           { $0 == .sizeMismatch(expected: 16, actual: 8) }, "header lies about shape / truncated body")
        try expectRejected(Self.npy(dict: "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", body: eight + eight),
                           { $0 == .sizeMismatch(expected: 8, actual: 16) }, "trailing bytes")
        try expectRejected(Self.npy(dict: "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", body: eight),
                           { $0 == .bigEndian(">f8") }, "big-endian")
        try expectRejected(Self.npy(dict: "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", body: eight + eight + eight + eight),
                           { $0 == .fortranOrder }, "Fortran order")
        try expectRejected(Self.npy(dict: "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", body: eight),
                           { if case .malformedHeader = $0 { true } else { false } }, "structured dtype")
        try expectRejected(Self.npy(dict: "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", body: eight + eight),
                           { $0 == .unsupportedDType("<c16") }, "complex")
        try expectRejected(Self.npy(dict: "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 99999999999, 99999999999), }", body: eight),
                           { if case .invalidShape = $0 { true } else { false } }, "overflowing shape")
        try expectRejected(Self.npy(dict: "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}", body: eight),
                           { if case .malformedHeader = $0 { true } else { false } }, "unknown key")
        try expectRejected(Self.npy(dict: "{'descr': '<f8', 'shape': (1,), }", body: eight),
                           { if case .malformedHeader = $0 { true } else { false } }, "missing key")
        try expectRejected(Self.npy(dict: "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", body: eight),
                           { $0 == .typeMismatch(expected: .float64, found: .int64) }, "another dtype")
        try expectRejected(Self.npy(dict: "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", body: eight),
                           { if case .malformedHeader = $0 { true } else { false } }, "negative dimension")
    }

    @Test func boolArraysRejectBytesOtherThanZeroOrOne() throws {
        let bytes = Self.npy(dict: "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", body: [0, 1, 7])
        let any = try bytes.withUnsafeBytes { try NumPyFile.decode($0) }
        #expect(throws: NumPyFormatError.self) { _ = try any.typed(as: Bool.self) }
    }

    @Test func missingFileIsAnIOError() {
        #expect(throws: CacheIOError.self) { _ = try NumPyFile.load(path: "/nonexistent/dir/x.npy") }
    }

    @Test func arrayArgumentKeys() throws {
        let a = try ShapedArray((0..<1000).map(Double.init), shape: [10, 100])
        let same = try ShapedArray((0..<1000).map(Double.init), shape: [10, 100])
        let reshaped = try ShapedArray((0..<1000).map(Double.init), shape: [100, 10])
        let otherType = try ShapedArray((0..<1000).map(Int64.init), shape: [10, 100])
        var changed = (0..<1000).map(Double.init)
        changed[999] = 0
        let changedValue = try ShapedArray(changed, shape: [10, 100])
        let key = try CacheKey(name: "f", arguments: a, 3)
        #expect(try CacheKey(name: "f", arguments: same, 3) == key)
        #expect(try CacheKey(name: "f", arguments: reshaped, 3) != key)
        #expect(try CacheKey(name: "f", arguments: otherType, 3) != key)
        #expect(try CacheKey(name: "f", arguments: changedValue, 3) != key)
        #expect(try CacheKey(name: "f", arguments: a, 4) != key)
        #expect(key.encodedArguments.count < 120, "the array is digested, not copied into the key")
        // A plain [Double] wrapped in ArrayArgument keys like the equal ShapedArray.
        let flat = (0..<1000).map(Double.init)
        #expect(try CacheKey(name: "f", arguments: ArrayArgument(flat)) == CacheKey(name: "f", arguments: ShapedArray(flat)))
        #expect(try CacheKey(name: "f", arguments: ArrayArgument(flat)) != CacheKey(name: "f", arguments: flat))
        // The algorithm id is part of the key bytes.
        #expect(key.encodedArguments.firstRange(of: Array(CacheHash.algorithmID.utf8)) != nil)
    }
}
