/// Parses RESP2 replies from a byte buffer, incrementally: ``parse(_:)`` returns
/// `nil` when the bytes end before a whole value (read more and call again), the
/// value and how many bytes it used, or throws ``RESPParseError`` for bytes that can
/// never become a valid reply (the connection must then be closed).
///
/// Limits guard against a hostile or broken peer: bulk strings, array counts, nesting
/// depth and line lengths are bounded, so malformed input can neither crash the
/// process nor make it allocate without bound.
public struct RESPParser: Sendable {
    /// The largest bulk string accepted (Redis' own limit is 512 MiB).
    public var maxBulkLength: Int
    /// The largest array accepted.
    public var maxArrayCount: Int
    /// The deepest nesting of arrays accepted.
    public var maxDepth: Int
    /// The longest simple string, error or number line accepted.
    public var maxLineLength: Int

    public init(maxBulkLength: Int = 512 << 20, maxArrayCount: Int = 1 << 24, maxDepth: Int = 32, maxLineLength: Int = 64 << 10) {
        self.maxBulkLength = maxBulkLength
        self.maxArrayCount = maxArrayCount
        self.maxDepth = maxDepth
        self.maxLineLength = maxLineLength
    }

    /// Parses one value from the start of `bytes`.
    /// - Returns: the value and the number of bytes it took, or `nil` if `bytes` ends first.
    /// - Complexity: O(bytes of the value).
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(RESPParseError) -> (value: RESPValue, consumed: Int)? {
        var cursor = Cursor(bytes: bytes, position: 0)
        guard let value = try parseValue(&cursor, depth: 0) else { return nil }
        return (value, cursor.position)
    }

    /// Parses one value from the start of `bytes`.
    public func parse(_ bytes: [UInt8]) throws(RESPParseError) -> (value: RESPValue, consumed: Int)? {
        do {
            return try bytes.withUnsafeBytes { buffer in try parse(buffer) }
        } catch let error as RESPParseError {
            throw error
        } catch {
            // `parse(_: UnsafeRawBufferPointer)` throws only RESPParseError.
            throw RESPParseError(.unknownType, offset: 0, detail: "\(error)")
        }
    }

    /// Parses every complete value in `bytes`; returns them and the bytes consumed.
    public func parseAll(_ bytes: UnsafeRawBufferPointer) throws(RESPParseError) -> (values: [RESPValue], consumed: Int) {
        var values: [RESPValue] = []
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            var cursor = Cursor(bytes: rest, position: 0)
            let parsed: RESPValue?
            do {
                parsed = try parseValue(&cursor, depth: 0)
            } catch {
                var shifted = error
                shifted.offset += offset
                throw shifted
            }
            guard let value = parsed else { break }
            values.append(value)
            offset += cursor.position
        }
        return (values, offset)
    }

    struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var position: Int
    }

    private func parseValue(_ cursor: inout Cursor, depth: Int) throws(RESPParseError) -> RESPValue? {
        guard cursor.position < cursor.bytes.count else { return nil }
        let start = cursor.position
        let type = cursor.bytes[start]
        cursor.position += 1
        switch type {
        case UInt8(ascii: "+"):
            guard let line = try readLine(&cursor) else { return nil }
            return .simpleString(String(decoding: line, as: UTF8.self))
        case UInt8(ascii: "-"):
            guard let line = try readLine(&cursor) else { return nil }
            return .error(String(decoding: line, as: UTF8.self))
        case UInt8(ascii: ":"):
            guard let n = try readInteger(&cursor) else { return nil }
            return .integer(n)
        case UInt8(ascii: "$"):
            let lengthOffset = cursor.position
            guard let length = try readInteger(&cursor) else { return nil }
            if length == -1 { return .bulkString(nil) }
            if length < -1 {
                throw RESPParseError(.negativeLength, offset: lengthOffset, detail: "bulk string length \(length)")
            }
            if length > Int64(maxBulkLength) {
                throw RESPParseError(.bulkTooLarge, offset: lengthOffset, detail: "bulk string of \(length) bytes exceeds the limit \(maxBulkLength)")
            }
            let count = Int(length)
            guard cursor.bytes.count - cursor.position >= count + 2 else { return nil }
            let payloadStart = cursor.position
            let end = payloadStart + count
            guard cursor.bytes[end] == 13, cursor.bytes[end + 1] == 10 else {
                throw RESPParseError(.missingCRLF, offset: end, detail: "bulk string of \(count) bytes is not followed by CRLF")
            }
            let payload = [UInt8](UnsafeRawBufferPointer(rebasing: cursor.bytes[payloadStart..<end]))
            cursor.position = end + 2
            return .bulkString(payload)
        case UInt8(ascii: "*"):
            let countOffset = cursor.position
            guard let count = try readInteger(&cursor) else { return nil }
            if count == -1 { return .array(nil) }
            if count < -1 {
                throw RESPParseError(.negativeLength, offset: countOffset, detail: "array count \(count)")
            }
            if count > Int64(maxArrayCount) {
                throw RESPParseError(.arrayTooLarge, offset: countOffset, detail: "array of \(count) elements exceeds the limit \(maxArrayCount)")
            }
            if depth + 1 > maxDepth {
                throw RESPParseError(.nestedTooDeep, offset: start, detail: "arrays nested deeper than \(maxDepth)")
            }
            // Every element needs at least 3 bytes: do not reserve for a count the buffer cannot hold.
            var items: [RESPValue] = []
            items.reserveCapacity(min(Int(count), (cursor.bytes.count - cursor.position) / 3 + 1))
            for _ in 0..<Int(count) {
                guard let item = try parseValue(&cursor, depth: depth + 1) else { return nil }
                items.append(item)
            }
            return .array(items)
        default:
            throw RESPParseError(.unknownType, offset: start, detail: "type byte 0x\(String(type, radix: 16)) is not one of + - : $ *")
        }
    }

    /// The bytes up to CRLF (exclusive), advancing past the CRLF; `nil` if no CRLF yet.
    private func readLine(_ cursor: inout Cursor) throws(RESPParseError) -> UnsafeRawBufferPointer? {
        let start = cursor.position
        var i = start
        let end = cursor.bytes.count
        while i < end {
            let byte = cursor.bytes[i]
            if byte == 13 {
                guard i + 1 < end else { return nil }
                guard cursor.bytes[i + 1] == 10 else {
                    throw RESPParseError(.missingCRLF, offset: i, detail: "CR not followed by LF")
                }
                cursor.position = i + 2
                return UnsafeRawBufferPointer(rebasing: cursor.bytes[start..<i])
            }
            if byte == 10 {
                throw RESPParseError(.missingCRLF, offset: i, detail: "LF without CR")
            }
            i += 1
            if i - start > maxLineLength {
                throw RESPParseError(.lineTooLong, offset: start, detail: "line longer than \(maxLineLength) bytes")
            }
        }
        return nil
    }

    private func readInteger(_ cursor: inout Cursor) throws(RESPParseError) -> Int64? {
        let start = cursor.position
        guard let line = try readLine(&cursor) else { return nil }
        var index = 0
        var negative = false
        if line.count > 0, line[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        guard index < line.count, line.count - index <= 19 else {
            throw RESPParseError(.invalidInteger, offset: start, detail: "'\(String(decoding: line, as: UTF8.self))' is not a 64-bit decimal integer")
        }
        var value: Int64 = 0
        while index < line.count {
            let digit = line[index]
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else {
                throw RESPParseError(.invalidInteger, offset: start + index, detail: "byte 0x\(String(digit, radix: 16)) in a number")
            }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            if o1 || o2 {
                throw RESPParseError(.invalidInteger, offset: start, detail: "number overflows 64 bits")
            }
            value = next
            index += 1
        }
        return negative ? -value : value
    }
}
