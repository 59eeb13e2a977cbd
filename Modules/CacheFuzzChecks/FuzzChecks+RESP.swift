import CacheRESP

extension FuzzChecks {
    /// A reply parses (completely or as "need more bytes") or throws `RESPParseError` with
    /// an offset inside the input; what parses survives re-encoding, every strict prefix of
    /// it asks for more bytes, and `parseAll` agrees on the first value.
    static func resp(_ bytes: UnsafeRawBufferPointer) {
        let parser = RESPParser(maxBulkLength: 1 << 20, maxArrayCount: 1 << 16, maxDepth: 16, maxLineLength: 4096)
        let parsed: (value: RESPValue, consumed: Int)?
        do {
            parsed = try parser.parse(bytes)
        } catch {
            precondition(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside \(bytes.count) bytes")
            return
        }
        guard let (value, consumed) = parsed else { return }
        precondition(consumed > 0 && consumed <= bytes.count, "consumed \(consumed) of \(bytes.count)")
        // Non-canonical input (":007") may re-encode differently, but must parse back whole.
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
        if let all = try? parser.parseAll(bytes) {
            precondition(all.values.first == value, "parseAll disagrees with parse")
        }
    }
}
