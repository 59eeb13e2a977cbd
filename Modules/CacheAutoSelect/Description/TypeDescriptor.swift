import CacheCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The shape of a cached function's result type, built from `T.self` or parsed from
/// the command line (`"[Double]"`, `"[String: Int]"`, `"Set<String>"`, `"Int?"`).
public indirect enum TypeDescriptor: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A standard scalar, by its Swift name (`Int`, `UInt8`, `Double`, `Bool`, `String`).
    case scalar(String)
    /// `Data` or `[UInt8]`: bytes.
    case bytes(String)
    case array(TypeDescriptor)
    case dictionary(key: TypeDescriptor, value: TypeDescriptor)
    case set(TypeDescriptor)
    case optional(TypeDescriptor)
    /// Any other type, by name; `codable` tells whether persistent engines can store it;
    /// `category` is what the type declares through ``CacheDescribable``.
    case named(String, codable: Bool, category: CacheDataCategory?)

    /// Fixed-size scalar names and their byte sizes.
    static let fixedScalars: [String: Int] = [
        "Int": 8, "Int8": 1, "Int16": 2, "Int32": 4, "Int64": 8,
        "UInt": 8, "UInt8": 1, "UInt16": 2, "UInt32": 4, "UInt64": 8,
        "Double": 8, "Float": 4, "Float16": 2, "Bool": 1,
    ]
    static let numericScalars: Set<String> = Set(fixedScalars.keys).subtracting(["Bool"])

    public var description: String {
        switch self {
        case .scalar(let name), .bytes(let name): return name
        case .array(let e): return "[\(e)]"
        case .dictionary(let k, let v): return "[\(k): \(v)]"
        case .set(let e): return "Set<\(e)>"
        case .optional(let w): return "\(w)?"
        case .named(let name, _, _): return name
        }
    }

    /// Whether persistent engines can store values of this type.
    public var isCodable: Bool {
        switch self {
        case .scalar, .bytes: return true
        case .array(let e), .set(let e), .optional(let e): return e.isCodable
        case .dictionary(let k, let v): return k.isCodable && v.isCodable
        case .named(_, let codable, _): return codable
        }
    }

    /// Whether this is a fixed-size number (not `Bool`, not `String`).
    public var isNumericScalar: Bool {
        if case .scalar(let name) = self { return Self.numericScalars.contains(name) }
        return false
    }

    /// The size of every value of this type, when it is fixed (scalars but `String`).
    public var fixedSize: Int? {
        switch self {
        case .scalar(let name): return Self.fixedScalars[name]
        case .optional(let w): return w.fixedSize.map { $0 + 1 }
        default: return nil
        }
    }

    /// The row of the selection table this type falls in.
    public var category: CacheDataCategory {
        switch self {
        case .scalar: return .smallScalar
        case .bytes: return .binaryBlob
        case .optional(let w): return w.category
        case .array(let e):
            if e.isNumericScalar { return .numericArray }
            if case .array(let inner) = e, inner.isNumericScalar { return .numericArray }  // matrices
            if case .dictionary(let k, _) = e, case .scalar("String") = k { return .tabular }  // rows of records
            return e.isCodable ? .collection : .opaque
        case .set(let e): return e.isCodable ? .collection : .opaque
        case .dictionary(let k, let v):
            if case .scalar("String") = k, case .array(let column) = v, column.isNumericScalar || column.category == .collection {
                return .tabular  // named columns
            }
            return isCodable ? .collection : .opaque
        case .named(_, let codable, let category):
            return category ?? (codable ? .customCodable : .opaque)
        }
    }

    /// The descriptor of `type`. Standard types are recognised structurally (arrays,
    /// dictionaries, sets and optionals of them, recursively); a type conforming to
    /// ``CacheDescribable`` states its category; other types are named, `Codable` or not.
    public init<T>(_ type: T.Type) {
        self = Self.describe(type)
    }

    static func describe(_ type: Any.Type) -> TypeDescriptor {
        if let structured = type as? any _CacheStructuredType.Type { return structured._cacheTypeDescriptor }
        let name = String(describing: type)
        if type == Data.self { return .bytes("Data") }
        if fixedScalars[name] != nil || type == String.self || type == Substring.self || type == Character.self {
            if fixedScalars[name] != nil, type != Self.scalarType(named: name) {
                // A user type that happens to share a standard name.
                return .named(String(reflecting: type), codable: type is any Codable.Type, category: nil)
            }
            return .scalar(name)
        }
        let category = (type as? any CacheDescribable.Type)?.cacheDataCategory
        return .named(name, codable: type is any Codable.Type, category: category)
    }

    static func scalarType(named name: String) -> Any.Type? {
        switch name {
        case "Int": return Int.self
        case "Int8": return Int8.self
        case "Int16": return Int16.self
        case "Int32": return Int32.self
        case "Int64": return Int64.self
        case "UInt": return UInt.self
        case "UInt8": return UInt8.self
        case "UInt16": return UInt16.self
        case "UInt32": return UInt32.self
        case "UInt64": return UInt64.self
        case "Double": return Double.self
        case "Float": return Float.self
        case "Bool": return Bool.self
        #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
        case "Float16": return Float16.self
        #endif
        default: return nil
        }
    }
}

/// Standard generic types that describe their structure; an implementation detail
/// of ``TypeDescriptor/init(_:)`` (dynamic casts reach conditional conformances).
public protocol _CacheStructuredType {
    static var _cacheTypeDescriptor: TypeDescriptor { get }
}

extension Array: _CacheStructuredType {
    public static var _cacheTypeDescriptor: TypeDescriptor {
        Element.self == UInt8.self ? .bytes("[UInt8]") : .array(TypeDescriptor.describe(Element.self))
    }
}

extension ContiguousArray: _CacheStructuredType {
    public static var _cacheTypeDescriptor: TypeDescriptor { .array(TypeDescriptor.describe(Element.self)) }
}

extension Dictionary: _CacheStructuredType {
    public static var _cacheTypeDescriptor: TypeDescriptor {
        .dictionary(key: TypeDescriptor.describe(Key.self), value: TypeDescriptor.describe(Value.self))
    }
}

extension Set: _CacheStructuredType {
    public static var _cacheTypeDescriptor: TypeDescriptor { .set(TypeDescriptor.describe(Element.self)) }
}

extension Optional: _CacheStructuredType {
    public static var _cacheTypeDescriptor: TypeDescriptor { .optional(TypeDescriptor.describe(Wrapped.self)) }
}
