/// A reader of outside bytes that the fuzzer drives, with the properties every input must
/// keep: it is accepted or refused with the reader's typed error — never a trap, an
/// overflow or an out-of-bounds read (AddressSanitizer watches) — and what is accepted
/// survives writing back and reading again.
///
/// Each check `precondition`s its properties, so a violation is a crash the fuzzer saves.
package enum FuzzTarget: String, CaseIterable, Sendable {
    /// CacheCore's binary Codable decoder, into a record with strings, integers, optionals,
    /// dictionaries, nested records and an enum with associated values.
    case binaryCodable = "binary-codable"
    /// CacheCore's value envelope (serializer id and version header) around that decoder.
    case envelope
    /// CacheBox's snapshot file (`restore`), with its length and checksum fields fixed up
    /// so the fuzzer reaches the entries.
    case boxSnapshot = "box-snapshot"
    /// CacheKlepto's directory-archive entry file (header line, checksum, key bytes).
    case kleptoEntry = "klepto-entry"
    /// CacheKlepto's single-file archive, checksum fixed up.
    case kleptoFile = "klepto-file"
    /// CacheJoblib's `.npy` header parser.
    case npyHeader = "npy-header"
    /// CacheJoblib's whole `.npy` reader (header and data).
    case npyArray = "npy-array"
    /// The RESP2 reply parser.
    case resp
    /// A key's storage bytes as archives and indexes keep them (`CacheKey(storageBytes:)`),
    /// and CacheKlepto's reading of the canonical argument encoding (keymaps, `describe`).
    case cacheKey = "cache-key"

    /// Runs one input through the target's checks.
    package func check(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .binaryCodable: FuzzChecks.binaryCodable(bytes)
        case .envelope: FuzzChecks.envelope(bytes)
        case .boxSnapshot: FuzzChecks.boxSnapshot(bytes)
        case .kleptoEntry: FuzzChecks.kleptoEntry(bytes)
        case .kleptoFile: FuzzChecks.kleptoFile(bytes)
        case .npyHeader: FuzzChecks.npyHeader(bytes)
        case .npyArray: FuzzChecks.npyArray(bytes)
        case .resp: FuzzChecks.resp(bytes)
        case .cacheKey: FuzzChecks.cacheKey(bytes)
        }
    }
}

/// The checks, one per target (see ``FuzzTarget``).
package enum FuzzChecks {}
