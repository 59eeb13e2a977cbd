import ArgumentParser
import CacheCore

/// `cachectl key`: prints the canonical key of a call, so a user can see what a
/// persistent cache stores (and the tests can check that another process agrees).
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Print the canonical key of calling NAME with typed arguments.",
        discussion: """
            Arguments are TYPE:VALUE — int, int64, int32, uint8, uint64, double, float, bool, string, \
            bytes (hex), strings (comma-separated [String]), set (comma-separated Set<String>), \
            dict (k=v,… [String: Int]), none (an Int? that is nil).
            Example: cachectl key --name fib int:10 string:hello set:b,a
            Prints the namespace, the storage bytes in hex and the XXH3-128 digest.
            """)

    @Option(help: "The function's stable name.")
    var name: String

    @Option(help: "The function's version.")
    var version: String?

    @Argument(help: "TYPE:VALUE arguments.")
    var arguments: [String] = []

    func run() throws {
        let encoded = try CanonicalKeyEncoder.encodeArgumentList(count: arguments.count) { encoder in
            for argument in arguments { try KeyCommand.append(argument, to: &encoder) }
        }
        let key = CacheKey(namespace: CacheKey.namespace(name: name, version: version), encodedArguments: encoded)
        print("namespace \(key.namespace)")
        print("bytes \(key.storageBytes.map { String(format2: $0) }.joined())")
        print("digest \(key.digest.hex)")
    }

    static func append(_ argument: String, to encoder: inout CanonicalKeyEncoder) throws {
        guard let colon = argument.firstIndex(of: ":") else {
            throw ValidationError("argument '\(argument)' is not TYPE:VALUE")
        }
        let type = String(argument[..<colon]), text = String(argument[argument.index(after: colon)...])
        func parse<T>(_ make: (String) -> T?) throws -> T {
            guard let v = make(text) else { throw ValidationError("'\(text)' is not a valid \(type) (in '\(argument)')") }
            return v
        }
        switch type {
        case "int": try encoder.encodeArgument(parse { Int($0) })
        case "int64": try encoder.encodeArgument(parse { Int64($0) })
        case "int32": try encoder.encodeArgument(parse { Int32($0) })
        case "uint8": try encoder.encodeArgument(parse { UInt8($0) })
        case "uint64": try encoder.encodeArgument(parse { UInt64($0) })
        case "double": try encoder.encodeArgument(parse { Double($0) })
        case "float": try encoder.encodeArgument(parse { Float($0) })
        case "bool": try encoder.encodeArgument(parse { Bool($0) })
        case "string": try encoder.encodeArgument(text)
        case "none": try encoder.encodeArgument(Int?.none)
        case "bytes": try encoder.encodeArgument(parse { hexBytes($0) })
        case "strings": try encoder.encodeArgument(text.isEmpty ? [String]() : text.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
        case "set": try encoder.encodeArgument(Set(text.split(separator: ",").map(String.init)))
        case "dict":
            let pairs: [(String, Int)] = try text.split(separator: ",").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let v = Int(parts[1]) else { throw ValidationError("'\(pair)' is not k=INT (in '\(argument)')") }
                return (String(parts[0]), v)
            }
            try encoder.encodeArgument(Dictionary(pairs, uniquingKeysWith: { _, last in last }))
        default:
            throw ValidationError("unknown argument type '\(type)' in '\(argument)'")
        }
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let b = UInt8(String(decoding: chars[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
            out.append(b)
        }
        return out
    }
}

extension String {
    /// Two lowercase hex digits.
    init(format2 byte: UInt8) {
        let s = String(byte, radix: 16)
        self = s.count == 1 ? "0" + s : s
    }
}
