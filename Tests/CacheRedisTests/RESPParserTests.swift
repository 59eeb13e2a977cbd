import CacheRESP
import Testing

@Suite struct RESPParserTests {
    let parser = RESPParser()

    func parse(_ text: String) throws -> RESPValue? { try parser.parse(Array(text.utf8))?.value }

    @Test func parsesEveryRESP2Type() throws {
        #expect(try parse("+OK\r\n") == .simpleString("OK"))
        #expect(try parse("-ERR wrong\r\n") == .error("ERR wrong"))
        #expect(try parse(":-42\r\n") == .integer(-42))
        #expect(try parse("$3\r\nfoo\r\n") == .bulkString(Array("foo".utf8)))
        #expect(try parse("$0\r\n\r\n") == .bulkString([]))
        #expect(try parse("$-1\r\n") == .bulkString(nil))
        #expect(try parse("*-1\r\n") == .array(nil))
        #expect(try parse("*2\r\n$1\r\na\r\n*1\r\n:1\r\n") == .array([.bulkString([97]), .array([.integer(1)])]))
        #expect(try parse(":9223372036854775807\r\n") == .integer(.max))
    }

    @Test func binarySafeBulkStrings() throws {
        let payload: [UInt8] = [0, 13, 10, 255, 36, 42]
        let encoded = RESPValue.bulkString(payload).encoded()
        #expect(try parser.parse(encoded)?.value == .bulkString(payload))
    }

    @Test func incompleteInputAtEverySplitPointAsksForMore() throws {
        let value = RESPValue.array([.bulkString(Array("hello".utf8)), .integer(7), .simpleString("OK"), .bulkString(nil), .error("E x")])
        let bytes = value.encoded()
        for cut in 0..<bytes.count {
            #expect(try parser.parse(Array(bytes[..<cut])) == nil, "a prefix of \(cut) bytes must be incomplete")
        }
        let whole = try #require(try parser.parse(bytes))
        #expect(whole.value == value && whole.consumed == bytes.count)
    }

    @Test func parseAllReturnsEveryCompleteValueAndTheRest() throws {
        let bytes = Array("+A\r\n:1\r\n$3\r\nab".utf8)
        let (values, consumed) = try bytes.withUnsafeBytes { try parser.parseAll($0) }
        #expect(values == [.simpleString("A"), .integer(1)])
        #expect(consumed == 8)
    }

    @Test func malformedRepliesAreTypedErrorsWithOffsets() {
        let cases: [(String, RESPParseError.Kind)] = [
            ("!oops\r\n", .unknownType),
            (":12a\r\n", .invalidInteger),
            (":\r\n", .invalidInteger),
            (":99999999999999999999\r\n", .invalidInteger),
            ("$-2\r\n", .negativeLength),
            ("*-5\r\n", .negativeLength),
            ("$3\r\nfooXY", .missingCRLF),
            ("+OK\rX", .missingCRLF),
            ("+O\nK\r\n", .missingCRLF),
            ("$999999999999\r\n", .bulkTooLarge),
            ("*99999999999\r\n", .arrayTooLarge),
            ("*2\r\n:1\r\n?\r\n", .unknownType),
        ]
        for (text, kind) in cases {
            do {
                _ = try parser.parse(Array(text.utf8))
                Issue.record("\(text.debugDescription) parsed without an error")
            } catch {
                #expect(error.kind == kind, "\(text.debugDescription): got \(error)")
                #expect(error.offset >= 0 && error.offset < text.utf8.count)
            }
        }
    }

    @Test func limitsGuardDepthAndLineLength() {
        let deep = String(repeating: "*1\r\n", count: 100) + ":1\r\n"
        #expect(throws: RESPParseError.self) { try parser.parse(Array(deep.utf8)) }
        let small = RESPParser(maxLineLength: 16)
        #expect(throws: RESPParseError.self) { try small.parse(Array(("+" + String(repeating: "x", count: 100)).utf8)) }
    }

    @Test func commandEncoding() throws {
        let bytes = RESPCommandEncoder.encode([Array("SET".utf8), Array("k".utf8), [0, 1]])
        #expect(bytes == Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n".utf8) + [0, 1, 13, 10])
        #expect(try parser.parse(bytes)?.value == .array([.bulkString(Array("SET".utf8)), .bulkString([107]), .bulkString([0, 1])]))
    }
}
