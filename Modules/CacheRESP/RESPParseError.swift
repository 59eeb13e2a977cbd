/// A reply that is not valid RESP2, with the byte offset (from the start of the
/// reply being parsed) where the parser gave up.
public struct RESPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The first byte of a value is not one of `+ - : $ *`.
        case unknownType
        /// A length or integer line is not a decimal number that fits in 64 bits.
        case invalidInteger
        /// A bulk string length below -1 or an array count below -1.
        case negativeLength
        /// A bulk string longer than the parser's limit.
        case bulkTooLarge
        /// An array with more elements than the parser's limit.
        case arrayTooLarge
        /// Arrays nested deeper than the parser's limit.
        case nestedTooDeep
        /// A line longer than the parser's limit without its CRLF.
        case lineTooLong
        /// A CR not followed by LF, or a bulk payload not followed by CRLF.
        case missingCRLF
    }

    public var kind: Kind
    /// Byte offset of the problem.
    public var offset: Int
    public var detail: String

    public init(_ kind: Kind, offset: Int, detail: String) {
        self.kind = kind
        self.offset = offset
        self.detail = detail
    }

    public var description: String { "malformed RESP reply at byte \(offset): \(kind.rawValue): \(detail)" }
}
