import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The synthetic access traces of the replay workload, regenerated bit-for-bit from the
/// generator in the shared traces README (SplitMix64 + bounded Zipf by inverse CDF), so
/// tests need no file outside the clone. Keys are `UInt32`; key 0 is the hottest.
public enum SyntheticTraces {
    /// SplitMix64 with wrapping arithmetic, exactly as the traces README specifies.
    public typealias SplitMix64 = CacheCore.SplitMix64

    /// Bounded Zipf(s, n) sampled by inverse CDF over ranks 1...n; draws return rank - 1.
    public struct Zipf: Sendable {
        /// Cumulative weights: `c[k] = w[1] + ... + w[k+1]`, summed sequentially.
        public let cumulative: [Double]

        /// - Complexity: O(n).
        public init(s: Double, n: Int) {
            precondition(n > 0, "Zipf needs n > 0")
            var c = [Double](repeating: 0, count: n)
            var sum = 0.0
            for r in 1...n {
                sum += pow(Double(r), -s)  // C pow, as the generator specifies
                c[r - 1] = sum
            }
            cumulative = c
        }

        /// The smallest index k with `c[k] > t`, clamped to n - 1.
        /// - Complexity: O(log n).
        public func draw(_ rng: inout SplitMix64) -> UInt32 {
            let t = rng.uniform() * cumulative[cumulative.count - 1]
            var lo = 0
            var hi = cumulative.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if cumulative[mid] > t { hi = mid } else { lo = mid + 1 }
            }
            return UInt32(min(lo, cumulative.count - 1))
        }
    }

    /// `zipf-0.99-100k`: SplitMix64(seed 42), Zipf(s 0.99, n 100,000), 1,000,000 draws
    /// (82,165 distinct keys). - Complexity: O(N log n).
    public static func zipf099_100k() -> [UInt32] {
        var rng = SplitMix64(seed: 42)
        let zipf = Zipf(s: 0.99, n: 100_000)
        var out = [UInt32]()
        out.reserveCapacity(1_000_000)
        for _ in 0..<1_000_000 { out.append(zipf.draw(&rng)) }
        return out
    }

    /// `scan-zipf`: SplitMix64(seed 42) feeding Zipf(s 0.9, n 50,000) over hot keys
    /// 0...49,999; 10 periods of 80,000 Zipf draws then the scan 50,000...69,999
    /// (1,000,000 accesses, 68,727 distinct keys). - Complexity: O(N log n).
    public static func scanZipf() -> [UInt32] {
        var rng = SplitMix64(seed: 42)
        let zipf = Zipf(s: 0.9, n: 50_000)
        var out = [UInt32]()
        out.reserveCapacity(1_000_000)
        for _ in 0..<10 {
            for _ in 0..<80_000 { out.append(zipf.draw(&rng)) }
            for k in UInt32(50_000)..<70_000 { out.append(k) }
        }
        return out
    }

    /// Reads a trace file: raw little-endian `UInt32` keys, one per access, no header.
    /// - Throws: `CacheIOError` naming `path` when the file cannot be opened or read, or
    ///   its size is not a multiple of 4.
    /// - Complexity: O(file size).
    public static func readTraceFile(_ path: String) throws(CacheIOError) -> [UInt32] {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            let e = errno
            throw CacheIOError(operation: "open trace file", location: path, reason: String(cString: strerror(e)), code: e)
        }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 {
            let e = errno
            throw CacheIOError(operation: "stat trace file", location: path, reason: String(cString: strerror(e)), code: e)
        }
        let size = Int(st.st_size)
        if size % 4 != 0 {
            throw CacheIOError(operation: "read trace file", location: path,
                               reason: "size \(size) bytes is not a multiple of 4 (raw little-endian UInt32 keys)")
        }
        var keys = [UInt32](repeating: 0, count: size / 4)
        var failure: Int32 = 0
        var done = 0
        keys.withUnsafeMutableBytes { buf in
            while done < size {
                let n = read(fd, buf.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { break }
                done += n
            }
        }
        if failure != 0 {
            throw CacheIOError(operation: "read trace file", location: path, reason: String(cString: strerror(failure)), code: failure)
        }
        if done != size {
            throw CacheIOError(operation: "read trace file", location: path, reason: "file shrank while reading (\(done) of \(size) bytes)")
        }
        #if _endian(big)
        for i in keys.indices { keys[i] = UInt32(littleEndian: keys[i]) }
        #endif
        return keys
    }

    /// Cache capacity for a fraction `p` of `distinct` keys, rounded half to even
    /// (822, 4,108 and 8,216 for zipf-0.99-100k at 1%, 5%, 10%).
    public static func capacity(fraction p: Double, distinct: Int) -> Int {
        Int((p * Double(distinct)).rounded(.toNearestOrEven))
    }

    /// The number of distinct keys in `trace`. - Complexity: O(N).
    public static func distinctCount(_ trace: [UInt32]) -> Int { Set(trace).count }

    /// The raw little-endian bytes of `trace`, as the `.u32` files store them.
    public static func bytes(of trace: [UInt32]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(trace.count * 4)
        for k in trace {
            out.append(UInt8(truncatingIfNeeded: k))
            out.append(UInt8(truncatingIfNeeded: k >> 8))
            out.append(UInt8(truncatingIfNeeded: k >> 16))
            out.append(UInt8(truncatingIfNeeded: k >> 24))
        }
        return out
    }
}
