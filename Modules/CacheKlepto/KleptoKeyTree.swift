import CacheCore

/// The canonical key encoding (``CanonicalKeyEncoder``'s bytes) read back into a tree,
/// so keymaps can round floating-point values anywhere in nested arguments, drop
/// arguments by position, and render the type-tagged text form.
///
/// Writing a tree back follows the encoder's rules: sets and dictionaries are sorted by
/// their elements' (keys') encoded bytes again, since rounding can change that order.
package indirect enum KleptoKeyTree: Equatable {
    case none
    case some(KleptoKeyTree)
    case bool(UInt8)
    /// A fixed-width integer: its tag and little-endian bytes.
    case integer(CanonicalTag, [UInt8])
    case float16(UInt16)
    case float(UInt32)
    case double(UInt64)
    case string([UInt8])
    case bytes([UInt8])
    case array([KleptoKeyTree])
    case set([KleptoKeyTree])
    case dictionary([(KleptoKeyTree, KleptoKeyTree)])
    case arguments([KleptoKeyTree])
    case keyed(type: [UInt8], fields: [([UInt8], KleptoKeyTree)])
    case unkeyed(type: [UInt8], elements: [KleptoKeyTree])
    case single(type: [UInt8], value: KleptoKeyTree)
    /// An argument the encoder replaced by its digest: kept opaque (its tag byte excluded).
    case digest([UInt8])

    package static func == (a: KleptoKeyTree, b: KleptoKeyTree) -> Bool { a.encoded() == b.encoded() }

    // MARK: Reading

    /// The tree of `bytes`, or `nil` when they are not one whole canonical value.
    package init?(parsing bytes: [UInt8]) {
        var reader = Reader(bytes: bytes)
        guard let tree = reader.value(depth: 0), reader.position == bytes.count else { return nil }
        self = tree
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func byte() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func raw(_ n: Int) -> [UInt8]? {
            guard n >= 0, n <= bytes.count - position else { return nil }
            defer { position += n }
            return Array(bytes[position..<(position + n)])
        }

        mutating func length() -> Int? {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard let b = byte(), shift < 63 else { return nil }
                value |= UInt64(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
            }
            return value <= UInt64(bytes.count) ? Int(value) : nil
        }

        mutating func string() -> [UInt8]? {
            guard let n = length() else { return nil }
            return raw(n)
        }

        mutating func fixed<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard let b = raw(MemoryLayout<T>.size) else { return nil }
            var v: T = 0
            for (i, x) in b.enumerated() { v |= T(x) << (8 * i) }
            return v
        }

        mutating func list(depth: Int) -> [KleptoKeyTree]? {
            guard let n = length() else { return nil }
            var out: [KleptoKeyTree] = []
            for _ in 0..<n {
                guard let v = value(depth: depth + 1) else { return nil }
                out.append(v)
            }
            return out
        }

        mutating func value(depth: Int) -> KleptoKeyTree? {
            guard depth < 300, let raw = byte(), let tag = CanonicalTag(rawValue: raw) else { return nil }
            switch tag {
            case .none: return KleptoKeyTree.none
            case .some: return value(depth: depth + 1).map { .some($0) }
            case .bool: return byte().map { .bool($0) }
            case .int, .int64, .uint, .uint64: return self.raw(8).map { .integer(tag, $0) }
            case .int8, .uint8: return self.raw(1).map { .integer(tag, $0) }
            case .int16, .uint16: return self.raw(2).map { .integer(tag, $0) }
            case .int32, .uint32: return self.raw(4).map { .integer(tag, $0) }
            case .float16: return fixed(UInt16.self).map { .float16($0) }
            case .float: return fixed(UInt32.self).map { .float($0) }
            case .double: return fixed(UInt64.self).map { .double($0) }
            case .string: return string().map { .string($0) }
            case .bytes: return string().map { .bytes($0) }
            case .array: return list(depth: depth).map { .array($0) }
            case .set: return list(depth: depth).map { .set($0) }
            case .arguments: return list(depth: depth).map { .arguments($0) }
            case .dictionary:
                guard let n = length() else { return nil }
                var pairs: [(KleptoKeyTree, KleptoKeyTree)] = []
                for _ in 0..<n {
                    guard let k = value(depth: depth + 1), let v = value(depth: depth + 1) else { return nil }
                    pairs.append((k, v))
                }
                return .dictionary(pairs)
            case .keyed:
                guard let type = string(), let n = length() else { return nil }
                var fields: [([UInt8], KleptoKeyTree)] = []
                for _ in 0..<n {
                    guard let name = string(), let v = value(depth: depth + 1) else { return nil }
                    fields.append((name, v))
                }
                return .keyed(type: type, fields: fields)
            case .unkeyed:
                guard let type = string(), let elements = list(depth: depth) else { return nil }
                return .unkeyed(type: type, elements: elements)
            case .single:
                guard let type = string(), let v = value(depth: depth + 1) else { return nil }
                return .single(type: type, value: v)
            case .digest:
                let start = position
                guard byte() != nil, string() != nil, length() != nil, length() != nil, self.raw(16) != nil else { return nil }
                return .digest(Array(bytes[start..<position]))
            }
        }
    }

    // MARK: Writing

    /// The canonical bytes of the tree.
    package func encoded() -> [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    static func writeLength(_ n: Int, _ out: inout [UInt8]) {
        var v = UInt64(n)
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func writeString(_ s: [UInt8], _ out: inout [UInt8]) {
        writeLength(s.count, &out)
        out.append(contentsOf: s)
    }

    static func writeFixed<T: FixedWidthInteger>(_ v: T, _ out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .none: out.append(CanonicalTag.none.rawValue)
        case .some(let v):
            out.append(CanonicalTag.some.rawValue)
            v.write(into: &out)
        case .bool(let b): out.append(contentsOf: [CanonicalTag.bool.rawValue, b])
        case .integer(let tag, let raw):
            out.append(tag.rawValue)
            out.append(contentsOf: raw)
        case .float16(let bits):
            out.append(CanonicalTag.float16.rawValue)
            Self.writeFixed(bits, &out)
        case .float(let bits):
            out.append(CanonicalTag.float.rawValue)
            Self.writeFixed(bits, &out)
        case .double(let bits):
            out.append(CanonicalTag.double.rawValue)
            Self.writeFixed(bits, &out)
        case .string(let s):
            out.append(CanonicalTag.string.rawValue)
            Self.writeString(s, &out)
        case .bytes(let s):
            out.append(CanonicalTag.bytes.rawValue)
            Self.writeString(s, &out)
        case .array(let items): Self.writeList(.array, items.map { $0.encoded() }, &out)
        case .arguments(let items): Self.writeList(.arguments, items.map { $0.encoded() }, &out)
        case .set(let items):
            Self.writeList(.set, items.map { $0.encoded() }.sorted { $0.lexicographicallyPrecedes($1) }, &out)
        case .dictionary(let pairs):
            let encoded = pairs.map { ($0.0.encoded(), $0.1.encoded()) }.sorted {
                $0.0 == $1.0 ? $0.1.lexicographicallyPrecedes($1.1) : $0.0.lexicographicallyPrecedes($1.0)
            }
            out.append(CanonicalTag.dictionary.rawValue)
            Self.writeLength(encoded.count, &out)
            for (k, v) in encoded {
                out.append(contentsOf: k)
                out.append(contentsOf: v)
            }
        case .keyed(let type, let fields):
            out.append(CanonicalTag.keyed.rawValue)
            Self.writeString(type, &out)
            Self.writeLength(fields.count, &out)
            for (name, v) in fields {
                Self.writeString(name, &out)
                v.write(into: &out)
            }
        case .unkeyed(let type, let elements):
            out.append(CanonicalTag.unkeyed.rawValue)
            Self.writeString(type, &out)
            Self.writeLength(elements.count, &out)
            for e in elements { e.write(into: &out) }
        case .single(let type, let v):
            out.append(CanonicalTag.single.rawValue)
            Self.writeString(type, &out)
            v.write(into: &out)
        case .digest(let rest):
            out.append(CanonicalTag.digest.rawValue)
            out.append(contentsOf: rest)
        }
    }

    static func writeList(_ tag: CanonicalTag, _ items: [[UInt8]], _ out: inout [UInt8]) {
        out.append(tag.rawValue)
        writeLength(items.count, &out)
        for item in items { out.append(contentsOf: item) }
    }

    // MARK: Transforms

    /// The tree with every `Double` and `Float` rounded half to even to a multiple of
    /// `tolerance` (`-0.0` becomes `0.0`, every NaN the canonical NaN, infinities stay).
    package func rounded(to tolerance: Double) -> KleptoKeyTree {
        switch self {
        case .double(let bits):
            return .double(Self.round(Double(bitPattern: bits), tolerance).bitPattern)
        case .float(let bits):
            let f = Float(bitPattern: bits)
            let r: Float = f.isNaN ? .nan : Float(Self.round(Double(f), tolerance))
            return .float((r == 0 ? 0 : r).bitPattern)
        case .some(let v): return .some(v.rounded(to: tolerance))
        case .array(let items): return .array(items.map { $0.rounded(to: tolerance) })
        case .set(let items): return .set(items.map { $0.rounded(to: tolerance) })
        case .arguments(let items): return .arguments(items.map { $0.rounded(to: tolerance) })
        case .dictionary(let pairs): return .dictionary(pairs.map { ($0.0.rounded(to: tolerance), $0.1.rounded(to: tolerance)) })
        case .keyed(let type, let fields): return .keyed(type: type, fields: fields.map { ($0.0, $0.1.rounded(to: tolerance)) })
        case .unkeyed(let type, let elements): return .unkeyed(type: type, elements: elements.map { $0.rounded(to: tolerance) })
        case .single(let type, let v): return .single(type: type, value: v.rounded(to: tolerance))
        default: return self
        }
    }

    /// `value` rounded half to even at granularity `tolerance`.
    static func round(_ value: Double, _ tolerance: Double) -> Double {
        if value.isNaN { return .nan }
        if !value.isFinite { return value }
        let steps = (value / tolerance).rounded(.toNearestOrEven)
        let r = steps * tolerance
        return r == 0 || !r.isFinite ? (r.isFinite ? 0 : value) : r
    }

    // MARK: Text

    /// The type-tagged text form, e.g. `(int:1, string:"a", Point{x: double:1.0})`.
    package func text() -> String {
        var out = ""
        render(into: &out)
        return out
    }

    static func quoted(_ bytes: [UInt8]) -> String {
        var out = "\""
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func name(_ tag: CanonicalTag) -> String {
        switch tag {
        case .int: "int"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .uint: "uint"
        case .uint8: "uint8"
        case .uint16: "uint16"
        case .uint32: "uint32"
        case .uint64: "uint64"
        default: "tag\(tag.rawValue)"
        }
    }

    func render(into out: inout String) {
        func list(_ items: [KleptoKeyTree], _ open: String, _ close: String) {
            out += open
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.render(into: &out)
            }
            out += close
        }
        switch self {
        case .none: out += "none"
        case .some(let v):
            out += "some("
            v.render(into: &out)
            out += ")"
        case .bool(let b): out += b == 0 ? "bool:false" : b == 1 ? "bool:true" : "bool:\(b)"
        case .integer(let tag, let raw):
            var u: UInt64 = 0
            for (i, x) in raw.enumerated() { u |= UInt64(x) << (8 * UInt64(i)) }
            let signed = [.int, .int8, .int16, .int32, .int64].contains(tag)
            let bits = raw.count * 8
            let text = signed && bits < 64
                ? String(Int64(bitPattern: u << UInt64(64 - bits)) >> Int64(64 - bits))
                : signed ? String(Int64(bitPattern: u)) : String(u)
            out += Self.name(tag) + ":" + text
        case .float16(let bits): out += "float16:0x" + String(bits, radix: 16)
        case .float(let bits): out += "float:\(Float(bitPattern: bits))"
        case .double(let bits): out += "double:\(Double(bitPattern: bits))"
        case .string(let s): out += "string:" + Self.quoted(s)
        case .bytes(let s): out += "bytes:0x" + s.kleptoHex
        case .array(let items): list(items, "[", "]")
        case .set(let items):
            list(items.map(\.self).sorted { $0.encoded().lexicographicallyPrecedes($1.encoded()) }, "set[", "]")
        case .arguments(let items): list(items, "(", ")")
        case .dictionary(let pairs):
            out += "dict["
            let sorted = pairs.sorted { $0.0.encoded().lexicographicallyPrecedes($1.0.encoded()) }
            for (i, (k, v)) in sorted.enumerated() {
                if i > 0 { out += ", " }
                k.render(into: &out)
                out += ": "
                v.render(into: &out)
            }
            out += "]"
        case .keyed(let type, let fields):
            out += String(decoding: type, as: UTF8.self) + "{"
            for (i, (name, v)) in fields.enumerated() {
                if i > 0 { out += ", " }
                out += Self.quoted(name) + ": "
                v.render(into: &out)
            }
            out += "}"
        case .unkeyed(let type, let elements): list(elements, String(decoding: type, as: UTF8.self) + "[", "]")
        case .single(let type, let v):
            out += String(decoding: type, as: UTF8.self) + "("
            v.render(into: &out)
            out += ")"
        case .digest(let rest): out += "digest:0x" + rest.kleptoHex
        }
    }
}
