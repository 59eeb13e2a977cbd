// libFuzzer entry point for the RESP2 reply parser (Modules/CacheRESP), built by run.sh
// with `swiftc -sanitize=fuzzer,address` from the module's own sources.
// Any input must either parse (completely or as "need more bytes") or throw
// RESPParseError — never trap, overflow or read out of bounds. What parses must
// survive re-encoding, and every strict prefix of it must be incomplete.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRESP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let parser = RESPParser(maxBulkLength: 1 << 20, maxArrayCount: 1 << 16, maxDepth: 16, maxLineLength: 4096)
    let parsed: (value: RESPValue, consumed: Int)?
    do {
        parsed = try parser.parse(bytes)
    } catch {
        precondition(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside the input of \(size) bytes")
        return 0
    }
    guard let (value, consumed) = parsed else { return 0 }
    precondition(consumed > 0 && consumed <= size, "consumed \(consumed) of \(size)")
    // Non-canonical input (":007", invalid UTF-8 in a simple string) may re-encode
    // differently, but the re-encoded bytes must parse back to the same value, whole.
    let encoded = value.encoded()
    let again = try? parser.parse(encoded)
    precondition(again?.value == value && again?.consumed == encoded.count, "value did not survive encode → parse")
    if consumed <= 256 {
        for cut in 0..<consumed {
            let prefix = UnsafeRawBufferPointer(rebasing: bytes[0..<cut])
            let incomplete: Bool
            do { incomplete = try parser.parse(prefix) == nil } catch { incomplete = false }
            precondition(incomplete, "a strict prefix of \(cut) bytes did not ask for more bytes")
        }
    }
    // parseAll over the whole input agrees with parse on the first value.
    if let all = try? parser.parseAll(bytes) {
        precondition(all.values.first == value, "parseAll disagrees with parse")
    }
    return 0
}
