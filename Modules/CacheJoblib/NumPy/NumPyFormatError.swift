/// A `.npy` file (or bytes) that this library will not read, and why.
///
/// Loading through a cache turns every one of these into a miss; loading a file
/// directly with ``NumPyFile`` throws it.
public struct NumPyFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        case badMagic
        case unsupportedVersion(major: UInt8, minor: UInt8)
        case truncatedHeader(needed: Int, available: Int)
        case malformedHeader(String)
        case unsupportedDType(String)
        /// Big-endian data from elsewhere: we never byte-swap silently.
        case bigEndian(String)
        /// Fortran (column-major) order: only C order is read.
        case fortranOrder
        case invalidShape(String)
        /// The body is shorter or longer than the header's shape and dtype say.
        case sizeMismatch(expected: Int, actual: Int)
        case typeMismatch(expected: NumPyElementType, found: NumPyElementType)
        case invalidBoolean(index: Int, byte: UInt8)

        public var description: String {
            switch self {
            case .badMagic: "not a .npy file (bad magic)"
            case .unsupportedVersion(let major, let minor): "unsupported .npy format version \(major).\(minor)"
            case .truncatedHeader(let needed, let available): "truncated header: needs \(needed) bytes, has \(available)"
            case .malformedHeader(let why): "malformed header: \(why)"
            case .unsupportedDType(let d): "unsupported dtype '\(d)'"
            case .bigEndian(let d): "big-endian dtype '\(d)' is not read (convert with arr.astype('<...'))"
            case .fortranOrder: "Fortran-order arrays are not read (use numpy.ascontiguousarray)"
            case .invalidShape(let why): "invalid shape: \(why)"
            case .sizeMismatch(let expected, let actual): "body is \(actual) bytes but the header implies \(expected)"
            case .typeMismatch(let expected, let found): "holds \(found), asked for \(expected)"
            case .invalidBoolean(let index, let byte): "bool element \(index) is byte \(byte), not 0 or 1"
            }
        }
    }

    public var reason: Reason
    /// The file, or `"<memory>"` for bytes.
    public var path: String
    /// The byte offset where the problem was found.
    public var offset: Int

    public init(_ reason: Reason, path: String = "<memory>", offset: Int) {
        self.reason = reason
        self.path = path
        self.offset = offset
    }

    public var description: String { "\(path) at byte \(offset): \(reason)" }
}
