import CacheBox
import CacheCore

extension FuzzChecks {
    /// A snapshot restores or is refused with `BoxSnapshotError`; a restored cache keeps
    /// its invariants and bound. The input is tried as it is, then with the header's length
    /// and checksum made right, so mutations reach the entries behind the checksum.
    static func boxSnapshot(_ bytes: UnsafeRawBufferPointer) {
        var input = Array(bytes)
        restoreSnapshot(input)
        let header = BoxSnapshotFormat.headerSize
        guard input.count >= header else { return }
        let payload = Array(input[header...])
        let length = UInt64(payload.count)
        for i in 0..<8 { input[12 + i] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(i))) }
        input.replaceSubrange(20..<36, with: XXH3.hash128(payload).bytes)
        restoreSnapshot(input)
    }

    static func restoreSnapshot(_ bytes: [UInt8]) {
        guard let cache = try? BoxCache<String, [Int]>(maximumWeight: 64) else { preconditionFailure("no cache") }
        guard let report = try? cache.restore(fromBytes: bytes, path: "<fuzz>") else {
            precondition(cache.count == 0, "a refused snapshot changed the cache")
            return
        }
        precondition(report.restored == cache.count, "restored \(report.restored), cache holds \(cache.count)")
        precondition(cache.count <= 64, "restored past the bound")
        if let violation = cache.invariantViolation() { preconditionFailure("restored cache broken: \(violation)") }
    }
}
