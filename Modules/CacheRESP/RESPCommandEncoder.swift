/// Encodes commands the way clients send them: an array of bulk strings.
///
/// `SET key value PX 500` becomes `*5\r\n$3\r\nSET\r\n$3\r\nkey\r\n…`.
public enum RESPCommandEncoder {
    /// Appends one command to `out`.
    /// - Complexity: O(total bytes of the arguments).
    @inlinable
    public static func append(_ arguments: [[UInt8]], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        RESP.appendDecimal(Int64(arguments.count), to: &out)
        RESP.appendCRLF(&out)
        for argument in arguments {
            out.append(UInt8(ascii: "$"))
            RESP.appendDecimal(Int64(argument.count), to: &out)
            RESP.appendCRLF(&out)
            out.append(contentsOf: argument)
            RESP.appendCRLF(&out)
        }
    }

    /// The bytes of one command.
    public static func encode(_ arguments: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(arguments.reduce(16) { $0 + $1.count + 16 })
        append(arguments, to: &out)
        return out
    }
}
