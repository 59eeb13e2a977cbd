import CacheCore

/// A type name that could not be parsed: what was wrong and at which character.
public struct TypeDescriptorParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    /// The offset (in characters) where parsing stopped.
    public var offset: Int
    public var reason: String

    public var description: String { "cannot parse type '\(text)' at character \(offset): \(reason)" }
}

extension TypeDescriptor {
    /// Parses Swift type syntax: `Int`, `[Double]`, `[String: Int]`, `Set<String>`,
    /// `Array<Float>`, `Dictionary<String, [Double]>`, `Int?`, `Optional<Data>`, `Data`,
    /// `[UInt8]`. Any other identifier is a named `Codable` type with the given `category`
    /// (or ``CacheDataCategory/customCodable``).
    public init(parsing text: String, category: CacheDataCategory? = nil) throws(TypeDescriptorParseError) {
        var parser = TypeParser(text: text, namedCategory: category)
        let result = try parser.parseType()
        parser.skipSpaces()
        guard parser.atEnd else { throw parser.error("unexpected '\(parser.peek!)'") }
        self = result
    }
}

struct TypeParser {
    let text: String
    let chars: [Character]
    var index = 0
    let namedCategory: CacheDataCategory?

    init(text: String, namedCategory: CacheDataCategory?) {
        self.text = text
        self.chars = Array(text)
        self.namedCategory = namedCategory
    }

    var atEnd: Bool { index >= chars.count }
    var peek: Character? { atEnd ? nil : chars[index] }

    func error(_ reason: String) -> TypeDescriptorParseError {
        TypeDescriptorParseError(text: text, offset: index, reason: reason)
    }

    mutating func skipSpaces() { while let c = peek, c == " " { index += 1 } }

    mutating func expect(_ c: Character) throws(TypeDescriptorParseError) {
        skipSpaces()
        guard peek == c else { throw error(atEnd ? "expected '\(c)' but the text ended" : "expected '\(c)', found '\(peek!)'") }
        index += 1
    }

    mutating func parseType(depth: Int = 0) throws(TypeDescriptorParseError) -> TypeDescriptor {
        guard depth < 32 else { throw error("nested more than 32 levels deep") }
        skipSpaces()
        var result: TypeDescriptor
        if peek == "[" {
            index += 1
            let first = try parseType(depth: depth + 1)
            skipSpaces()
            if peek == ":" {
                index += 1
                let value = try parseType(depth: depth + 1)
                try expect("]")
                result = .dictionary(key: first, value: value)
            } else {
                try expect("]")
                result = first == .scalar("UInt8") ? .bytes("[UInt8]") : .array(first)
            }
        } else {
            let name = try parseIdentifier()
            skipSpaces()
            var arguments: [TypeDescriptor] = []
            if peek == "<" {
                index += 1
                arguments.append(try parseType(depth: depth + 1))
                skipSpaces()
                while peek == "," {
                    index += 1
                    arguments.append(try parseType(depth: depth + 1))
                    skipSpaces()
                }
                try expect(">")
            }
            result = try make(name, arguments)
        }
        skipSpaces()
        while peek == "?" {
            index += 1
            result = .optional(result)
            skipSpaces()
        }
        return result
    }

    mutating func parseIdentifier() throws(TypeDescriptorParseError) -> String {
        let start = index
        while let c = peek, c.isLetter || c.isNumber || c == "_" || c == "." { index += 1 }
        guard index > start else { throw error(atEnd ? "expected a type name but the text ended" : "expected a type name, found '\(peek!)'") }
        return String(chars[start..<index])
    }

    func make(_ name: String, _ arguments: [TypeDescriptor]) throws(TypeDescriptorParseError) -> TypeDescriptor {
        func arity(_ n: Int) throws(TypeDescriptorParseError) {
            guard arguments.count == n else {
                throw error("\(name) takes \(n) type argument\(n == 1 ? "" : "s"), got \(arguments.count)")
            }
        }
        switch name {
        case "Array", "ContiguousArray":
            try arity(1)
            return arguments[0] == .scalar("UInt8") ? .bytes("[UInt8]") : .array(arguments[0])
        case "Dictionary":
            try arity(2)
            return .dictionary(key: arguments[0], value: arguments[1])
        case "Set":
            try arity(1)
            return .set(arguments[0])
        case "Optional":
            try arity(1)
            return .optional(arguments[0])
        default:
            try arity(0)
            if name == "Data" || name == "Foundation.Data" { return .bytes("Data") }
            if TypeDescriptor.fixedScalars[name] != nil || name == "String" || name == "Substring" || name == "Character" {
                return .scalar(name)
            }
            return .named(name, codable: namedCategory != .opaque, category: namedCategory)
        }
    }
}

extension TypeDescriptor {
    /// Encoded as its Swift spelling (`"[String: [Double]]"`); a named type decodes as
    /// a `Codable` type without a declared category.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try TypeDescriptor(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
