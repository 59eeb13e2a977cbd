/// One RESP2 reply (or request element) as the Redis server sends it.
///
/// Bulk strings are raw bytes: Redis values and keys are binary-safe.
public enum RESPValue: Sendable, Hashable, CustomStringConvertible {
    /// `+OK\r\n`
    case simpleString(String)
    /// `-ERR message\r\n`: the server refused the command.
    case error(String)
    /// `:42\r\n`
    case integer(Int64)
    /// `$3\r\nfoo\r\n`; `nil` is the null bulk string `$-1\r\n`.
    case bulkString([UInt8]?)
    /// `*2\r\n…`; `nil` is the null array `*-1\r\n`.
    case array([RESPValue]?)

    /// The bytes of a bulk string, or the UTF-8 of a simple string.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let b): return b
        case .simpleString(let s): return Array(s.utf8)
        default: return nil
        }
    }

    /// The value as text (bulk strings decoded as UTF-8, lossy), for replies like INFO.
    public var text: String? {
        switch self {
        case .bulkString(let b?): return String(decoding: b, as: UTF8.self)
        case .simpleString(let s): return s
        case .integer(let n): return String(n)
        default: return nil
        }
    }

    /// The integer of an integer reply, or of a bulk string holding a decimal integer.
    public var integer: Int64? {
        switch self {
        case .integer(let n): return n
        case .bulkString(let b?): return Int64(String(decoding: b, as: UTF8.self))
        default: return nil
        }
    }

    /// Whether this is the null bulk string or the null array.
    public var isNull: Bool {
        switch self {
        case .bulkString(nil), .array(nil): return true
        default: return false
        }
    }

    /// The RESP2 bytes of this value.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    /// Appends the RESP2 bytes of this value to `out`.
    public func encode(into out: inout [UInt8]) {
        switch self {
        case .simpleString(let s):
            out.append(UInt8(ascii: "+")); out.append(contentsOf: s.utf8); RESP.appendCRLF(&out)
        case .error(let s):
            out.append(UInt8(ascii: "-")); out.append(contentsOf: s.utf8); RESP.appendCRLF(&out)
        case .integer(let n):
            out.append(UInt8(ascii: ":")); RESP.appendDecimal(n, to: &out); RESP.appendCRLF(&out)
        case .bulkString(nil):
            out.append(contentsOf: RESP.nullBulk)
        case .bulkString(let b?):
            out.append(UInt8(ascii: "$")); RESP.appendDecimal(Int64(b.count), to: &out); RESP.appendCRLF(&out)
            out.append(contentsOf: b); RESP.appendCRLF(&out)
        case .array(nil):
            out.append(contentsOf: RESP.nullArray)
        case .array(let items?):
            out.append(UInt8(ascii: "*")); RESP.appendDecimal(Int64(items.count), to: &out); RESP.appendCRLF(&out)
            for item in items { item.encode(into: &out) }
        }
    }

    public var description: String {
        switch self {
        case .simpleString(let s): return "+\(s)"
        case .error(let s): return "-\(s)"
        case .integer(let n): return ":\(n)"
        case .bulkString(nil): return "(nil)"
        case .bulkString(let b?):
            let shown = b.prefix(64)
            return "\"" + String(decoding: shown, as: UTF8.self) + (b.count > 64 ? "…(\(b.count) bytes)" : "") + "\""
        case .array(nil): return "(nil array)"
        case .array(let items?): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// Constants and small writers shared by the encoder and the parser.
public enum RESP {
    public static let nullBulk: [UInt8] = Array("$-1\r\n".utf8)
    public static let nullArray: [UInt8] = Array("*-1\r\n".utf8)

    @inlinable
    public static func appendCRLF(_ out: inout [UInt8]) {
        out.append(13); out.append(10)
    }

    /// Appends the decimal digits of `value` (with a leading `-` when negative).
    @inlinable
    public static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        if value == 0 { out.append(UInt8(ascii: "0")); return }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes: enough for 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[i]) }
        }
    }
}
