import CacheCore
import CacheKlepto

extension FuzzChecks {
    /// An entry file parses (and writes back to a file that parses the same) or is damaged.
    static func kleptoEntry(_ bytes: UnsafeRawBufferPointer) {
        guard case .success(let parsed) = DirectoryEntryFile.decode(Array(bytes)) else { return }
        let written = DirectoryEntryFile.encode(KleptoRecord(format: parsed.format, payload: parsed.payload), key: parsed.key)
        guard case .success(let again) = DirectoryEntryFile.decode(written) else {
            preconditionFailure("a parsed entry does not parse once written back")
        }
        precondition(again.key == parsed.key && again.format == parsed.format && again.payload == parsed.payload,
                     "an entry changed when written back")
    }

    /// A single-file archive decodes (and re-encodes to records that decode the same) or is
    /// damaged. The input is tried as it is, then with its trailing checksum made right.
    static func kleptoFile(_ bytes: UnsafeRawBufferPointer) {
        var input = Array(bytes)
        decodeArchiveFile(input)
        guard input.count >= 8 else { return }
        let sum = input[..<(input.count - 8)].withUnsafeBytes { XXH3.hash64($0) }
        for i in 0..<8 { input[input.count - 8 + i] = UInt8(truncatingIfNeeded: sum >> (8 * UInt64(i))) }
        decodeArchiveFile(input)
    }

    static func decodeArchiveFile(_ bytes: [UInt8]) {
        guard case .success(let records) = SingleFileFormat.decode(bytes) else { return }
        guard case .success(let again) = SingleFileFormat.decode(SingleFileFormat.encode(records)) else {
            preconditionFailure("decoded records do not decode once encoded")
        }
        precondition(again == records, "records changed through encode → decode")
    }
}

extension FuzzChecks {
    /// Storage bytes parse to a key that writes back to bytes parsing to the same key, or are
    /// refused; the arguments of a parsed key are read as a canonical tree (or refused), whose
    /// encoding reads back to the same encoding, and which rounds, renders and describes
    /// without trapping — what a keymap does with a key read from an index or table.
    static func cacheKey(_ bytes: UnsafeRawBufferPointer) {
        guard let key = CacheKey(storageBytes: Array(bytes)) else { return }
        precondition(CacheKey(storageBytes: key.storageBytes) == key, "a parsed key changed through storageBytes")
        _ = key.digest
        _ = KleptoKeymap.describe(key)
        guard let tree = KleptoKeyTree(parsing: key.encodedArguments) else { return }
        let encoded = tree.encoded()
        guard let again = KleptoKeyTree(parsing: encoded) else { preconditionFailure("a parsed key tree does not parse once encoded") }
        precondition(again.encoded() == encoded, "a key tree changed through encode → parse")
        _ = tree.text()
        for tolerance in [0.001, 1, 1e-300] {
            let rounded = tree.rounded(to: tolerance).encoded()
            precondition(KleptoKeyTree(parsing: rounded) != nil, "a rounded key tree does not parse")
        }
    }
}
