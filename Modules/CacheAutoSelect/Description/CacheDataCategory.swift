/// The kinds of data the selection tells apart (the rows of ``DataTypeAnalyzer``'s table
/// in README's generated selection table).
public enum CacheDataCategory: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// `Int`, `String`, `Bool`, `Double` and other small fixed values.
    case smallScalar = "small-scalar"
    /// Arrays, dictionaries and sets of small values.
    case collection
    /// Contiguous numeric arrays, tensors, matrices.
    case numericArray = "numeric-array"
    /// Tabular or columnar data.
    case tabular
    /// Images, `Data`, `[UInt8]`, binary blobs.
    case binaryBlob = "binary-blob"
    /// Large JSON or Codable documents.
    case document
    /// Trained models and other large binary objects.
    case model
    /// A custom `Codable` type.
    case customCodable = "custom-codable"
    /// A type that is not `Codable`: only memory engines can hold it.
    case opaque

    public var description: String { rawValue }

    /// Arrays of numbers and their relatives, which CacheJoblib stores best.
    public var isArrayLike: Bool { self == .numericArray || self == .tabular || self == .model }

    /// What the selection table calls this kind of data.
    public var tableLabel: String {
        switch self {
        case .smallScalar: return "small scalars (Int, String, Bool, Double)"
        case .collection: return "collections (Array, Dictionary, Set) of small values"
        case .numericArray: return "contiguous numeric arrays / tensors / matrices"
        case .tabular: return "tabular / columnar data"
        case .binaryBlob: return "images, `Data`, binary blobs"
        case .document: return "large JSON / Codable documents"
        case .model: return "trained models / large binary objects"
        case .customCodable: return "custom Codable types"
        case .opaque: return "types that are not Codable"
        }
    }
}

/// A type that tells selection what kind of data it is (an image type says
/// `.binaryBlob`, a data-frame type `.tabular`).
public protocol CacheDescribable {
    /// The kind of data this type holds.
    static var cacheDataCategory: CacheDataCategory { get }
}
