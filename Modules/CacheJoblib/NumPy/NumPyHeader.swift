/// The header of a `.npy` file (NumPy format 1.0, 2.0 or 3.0): magic, version, length,
/// then a Python dict literal with `descr`, `fortran_order` and `shape`.
public struct NumPyHeader: Sendable, Equatable {
    public var elementType: NumPyElementType
    public var shape: [Int]
    /// Bytes before the first element (magic + version + length field + dict).
    public var dataOffset: Int
    public var majorVersion: UInt8

    /// The element count (checked product of ``shape``).
    public var elementCount: Int
    /// The body length the header implies.
    public var dataByteCount: Int

    /// The six magic bytes, `\x93NUMPY`.
    public static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    /// Longest header dict accepted (NumPy itself refuses more than 10,000 by default).
    public static let maximumHeaderLength = 65_536
    /// Most dimensions accepted (NumPy's own limit is 64).
    public static let maximumDimensions = 64

    /// The smallest prefix of a file that ``parse(_:path:)`` may need before it knows the length.
    public static let preambleLength = 12

    /// Parses and checks the header at the start of `bytes`. Throws ``NumPyFormatError``
    /// for anything malformed, big-endian, Fortran-order or of an unsupported dtype;
    /// never traps on any input.
    /// - Complexity: O(header length).
    public static func parse(_ bytes: UnsafeRawBufferPointer, path: String = "<memory>") throws(NumPyFormatError) -> NumPyHeader {
        func fail(_ reason: NumPyFormatError.Reason, at offset: Int) -> NumPyFormatError {
            NumPyFormatError(reason, path: path, offset: offset)
        }
        guard bytes.count >= 10 else {
            if bytes.count < 6 || !zip(bytes, magic).allSatisfy({ $0 == $1 }) { throw fail(.badMagic, at: 0) }
            throw fail(.truncatedHeader(needed: 10, available: bytes.count), at: bytes.count)
        }
        for i in 0..<6 where bytes[i] != magic[i] { throw fail(.badMagic, at: i) }
        let major = bytes[6], minor = bytes[7]
        let lengthFieldSize: Int
        switch major {
        case 1: lengthFieldSize = 2
        case 2, 3: lengthFieldSize = 4
        default: throw fail(.unsupportedVersion(major: major, minor: minor), at: 6)
        }
        guard minor == 0 else { throw fail(.unsupportedVersion(major: major, minor: minor), at: 7) }
        guard bytes.count >= 8 + lengthFieldSize else {
            throw fail(.truncatedHeader(needed: 8 + lengthFieldSize, available: bytes.count), at: bytes.count)
        }
        var headerLength = 0
        for i in 0..<lengthFieldSize { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        guard headerLength <= maximumHeaderLength else {
            throw fail(.malformedHeader("header length \(headerLength) exceeds \(maximumHeaderLength)"), at: 8)
        }
        let start = 8 + lengthFieldSize
        let dataOffset = start + headerLength
        guard bytes.count >= dataOffset else {
            throw fail(.truncatedHeader(needed: dataOffset, available: bytes.count), at: bytes.count)
        }
        var parser = HeaderDictParser(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<dataOffset]), base: start, path: path)
        let fields = try parser.parse()
        guard let descr = fields.descr else { throw fail(.malformedHeader("no 'descr' key"), at: start) }
        guard let fortran = fields.fortranOrder else { throw fail(.malformedHeader("no 'fortran_order' key"), at: start) }
        guard let shape = fields.shape else { throw fail(.malformedHeader("no 'shape' key"), at: start) }
        let elementType: NumPyElementType
        switch NumPyElementType.parse(descr: descr) {
        case .type(let type): elementType = type
        case .unsupported(let reason): throw fail(reason, at: fields.descrOffset)
        }
        guard shape.count <= maximumDimensions else {
            throw fail(.invalidShape("\(shape.count) dimensions (at most \(maximumDimensions))"), at: fields.shapeOffset)
        }
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { throw fail(.invalidShape("\(shape) overflows"), at: fields.shapeOffset) }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: elementType.byteSize)
        guard !overflow, byteCount <= Int.max - dataOffset else {
            throw fail(.invalidShape("\(shape) of \(elementType) overflows"), at: fields.shapeOffset)
        }
        // A Fortran-order array of at most one dimension has the same bytes as C order.
        if fortran && shape.filter({ $0 != 1 }).count > 1 { throw fail(.fortranOrder, at: fields.fortranOffset) }
        return NumPyHeader(
            elementType: elementType, shape: shape, dataOffset: dataOffset, majorVersion: major,
            elementCount: count, dataByteCount: byteCount)
    }

    /// The header bytes NumPy writes for an array of `type` and `shape`: format 1.0
    /// when the dict fits in 65,535 bytes (always, in practice), else 2.0; padded with
    /// spaces and a newline so the data starts at a multiple of 64 bytes.
    public static func encode(elementType: NumPyElementType, shape: [Int]) -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        let dict = "{'descr': '\(elementType.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        var text = Array(dict.utf8)
        var major: UInt8 = 1
        var prefix = 10
        func padded() -> Int { (prefix + text.count + 1 + 63) / 64 * 64 - prefix }
        if padded() > 65_535 { major = 2; prefix = 12 }
        let total = padded()
        text.append(contentsOf: repeatElement(UInt8(ascii: " "), count: total - text.count - 1))
        text.append(UInt8(ascii: "\n"))
        var out = magic
        out.append(major)
        out.append(0)
        if major == 1 {
            out.append(UInt8(truncatingIfNeeded: total))
            out.append(UInt8(truncatingIfNeeded: total >> 8))
        } else {
            for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: total >> (8 * i))) }
        }
        out.append(contentsOf: text)
        return out
    }
}

/// A strict parser for the Python dict literal of a `.npy` header: string keys,
/// string / True / False / tuple-of-int values; everything else is an error.
struct HeaderDictParser {
    struct Fields {
        var descr: String?
        var fortranOrder: Bool?
        var shape: [Int]?
        var descrOffset = 0, fortranOffset = 0, shapeOffset = 0
    }

    enum Value {
        case string(String)
        case bool(Bool)
        case tuple([Int])
    }

    let bytes: UnsafeRawBufferPointer
    let base: Int
    let path: String
    var index = 0

    init(bytes: UnsafeRawBufferPointer, base: Int, path: String) {
        self.bytes = bytes
        self.base = base
        self.path = path
    }

    func fail(_ why: String) -> NumPyFormatError {
        NumPyFormatError(.malformedHeader(why), path: path, offset: base + index)
    }

    mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x09 || bytes[index] == 0x0D {
            index += 1
        }
    }

    mutating func expect(_ byte: UInt8) throws(NumPyFormatError) {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else {
            throw fail("expected '\(Character(Unicode.Scalar(byte)))'")
        }
        index += 1
    }

    mutating func peek() -> UInt8? {
        skipSpace()
        return index < bytes.count ? bytes[index] : nil
    }

    mutating func parseString() throws(NumPyFormatError) -> String {
        skipSpace()
        guard index < bytes.count, bytes[index] == 0x27 || bytes[index] == 0x22 else { throw fail("expected a string") }
        let quote = bytes[index]
        index += 1
        let start = index
        while index < bytes.count, bytes[index] != quote {
            guard bytes[index] != 0x5C, bytes[index] >= 0x20, bytes[index] < 0x7F else {
                throw fail("unsupported character in a string")
            }
            index += 1
        }
        guard index < bytes.count else { throw fail("unterminated string") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        index += 1
        return text
    }

    mutating func parseWord(_ word: String) -> Bool {
        let utf8 = Array(word.utf8)
        guard index + utf8.count <= bytes.count else { return false }
        for (i, byte) in utf8.enumerated() where bytes[index + i] != byte { return false }
        index += utf8.count
        return true
    }

    mutating func parseInt() throws(NumPyFormatError) -> Int {
        skipSpace()
        var value = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(bytes[index] - 0x30))
            if o1 || o2 { throw fail("dimension too large") }
            value = sum
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw fail("expected a non-negative integer") }
        // Python 2 era writers may append L to a long.
        if index < bytes.count, bytes[index] == UInt8(ascii: "L") { index += 1 }
        return value
    }

    mutating func parseTuple() throws(NumPyFormatError) -> [Int] {
        try expect(UInt8(ascii: "("))
        var values: [Int] = []
        while true {
            if peek() == UInt8(ascii: ")") { index += 1; return values }
            guard values.count < NumPyHeader.maximumDimensions + 1 else { throw fail("too many dimensions") }
            values.append(try parseInt())
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: ")"):
                // `(3)` is the int 3 in Python, not a tuple; NumPy never writes it.
                if values.count == 1 { throw fail("a one-element shape needs a trailing comma") }
                index += 1
                return values
            default: throw fail("expected ',' or ')' in the shape")
            }
        }
    }

    mutating func parseValue() throws(NumPyFormatError) -> Value {
        switch peek() {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "("): return .tuple(try parseTuple())
        case UInt8(ascii: "T"): if parseWord("True") { return .bool(true) }
        case UInt8(ascii: "F"): if parseWord("False") { return .bool(false) }
        case UInt8(ascii: "["): throw fail("structured dtypes are not supported")
        default: break
        }
        throw fail("unexpected value")
    }

    mutating func parse() throws(NumPyFormatError) -> Fields {
        var fields = Fields()
        try expect(UInt8(ascii: "{"))
        while true {
            if peek() == UInt8(ascii: "}") { index += 1; break }
            let key = try parseString()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            let valueOffset = base + index
            let value = try parseValue()
            switch (key, value) {
            case ("descr", .string(let d)):
                guard fields.descr == nil else { throw fail("duplicate key 'descr'") }
                fields.descr = d
                fields.descrOffset = valueOffset
            case ("fortran_order", .bool(let b)):
                guard fields.fortranOrder == nil else { throw fail("duplicate key 'fortran_order'") }
                fields.fortranOrder = b
                fields.fortranOffset = valueOffset
            case ("shape", .tuple(let s)):
                guard fields.shape == nil else { throw fail("duplicate key 'shape'") }
                fields.shape = s
                fields.shapeOffset = valueOffset
            case ("descr", _), ("fortran_order", _), ("shape", _):
                throw NumPyFormatError(.malformedHeader("wrong value type for '\(key)'"), path: path, offset: valueOffset)
            default:
                throw NumPyFormatError(.malformedHeader("unexpected key '\(key)'"), path: path, offset: valueOffset)
            }
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1
                return try finish(fields)
            default: throw fail("expected ',' or '}'")
            }
        }
        return try finish(fields)
    }

    mutating func finish(_ fields: Fields) throws(NumPyFormatError) -> Fields {
        skipSpace()
        guard index == bytes.count else { throw fail("trailing bytes after the header dict") }
        return fields
    }
}
