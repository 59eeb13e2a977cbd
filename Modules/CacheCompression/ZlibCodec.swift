import CZlib
import CacheCore

/// zlib (the system libz) compression of whole files.
public enum ZlibCodec {
    static let chunk = 1 << 30  // zlib counts in 32 bits: feed at most 1 GiB at a time

    /// The zlib stream of the concatenation of `parts` at `level` (0–9; 1 fastest, 9 smallest).
    public static func compress(_ parts: [UnsafeRawBufferPointer], level: Int32, context: String) throws(CacheSerializationError) -> [UInt8] {
        var stream = z_stream()
        guard deflateInit_(&stream, level, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CacheSerializationError(.encoding, serializer: "zlib", type: context, reason: "deflateInit failed (level \(level))")
        }
        defer { deflateEnd(&stream) }
        let total = parts.reduce(0) { $0 + $1.count }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(total))) + 1024)
        var produced = 0
        let status: Int32 = out.withUnsafeMutableBytes { outBuffer in
            func step(_ flush: Int32) -> Int32 {
                let space = min(outBuffer.count - produced, chunk)
                stream.next_out = (outBuffer.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(space)
                let result = deflate(&stream, flush)
                produced += space - Int(stream.avail_out)
                return result
            }
            for part in parts {
                var offset = 0
                while offset < part.count {
                    let length = min(part.count - offset, chunk)
                    stream.next_in = UnsafeMutablePointer(mutating: (part.baseAddress! + offset).assumingMemoryBound(to: Bytef.self))
                    stream.avail_in = uInt(length)
                    while stream.avail_in > 0 {
                        let result = step(Z_NO_FLUSH)
                        guard result == Z_OK else { return result }
                    }
                    offset += length
                }
            }
            stream.next_in = nil
            stream.avail_in = 0
            while true {
                let result = step(Z_FINISH)
                if result == Z_STREAM_END { return Z_STREAM_END }
                guard result == Z_OK, produced < outBuffer.count else { return result }
            }
        }
        guard status == Z_STREAM_END else {
            throw CacheSerializationError(.encoding, serializer: "zlib", type: context, reason: "deflate failed (\(status))")
        }
        out.removeSubrange(produced...)
        return out
    }

    /// Inflates `compressed` into exactly `output.count` bytes; throws when the stream is
    /// corrupt, ends early, or holds more than `output.count` bytes.
    public static func decompress(_ compressed: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, context: String) throws(CacheSerializationError) {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CacheSerializationError(.decoding, serializer: "zlib", type: context, reason: "inflateInit failed")
        }
        defer { inflateEnd(&stream) }
        let scratch = UnsafeMutablePointer<Bytef>.allocate(capacity: 1)
        defer { scratch.deallocate() }
        var consumed = 0, produced = 0
        func fail(_ why: String) -> CacheSerializationError {
            CacheSerializationError(.decoding, serializer: "zlib", type: context, position: "input byte \(consumed)", reason: why)
        }
        while true {
            let inLength = min(compressed.count - consumed, chunk)
            stream.next_in = inLength > 0 ? UnsafeMutablePointer(mutating: (compressed.baseAddress! + consumed).assumingMemoryBound(to: Bytef.self)) : nil
            stream.avail_in = uInt(inLength)
            let outLength = min(output.count - produced, chunk)
            if outLength > 0 {
                stream.next_out = (output.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(outLength)
            } else {
                // Room for one more byte only to learn whether the stream is longer than recorded.
                stream.next_out = scratch
                stream.avail_out = 1
            }
            let result = inflate(&stream, Z_NO_FLUSH)
            consumed += inLength - Int(stream.avail_in)
            if outLength > 0 {
                produced += outLength - Int(stream.avail_out)
            } else if stream.avail_out == 0 {
                throw fail("inflates beyond the recorded \(output.count) bytes")
            }
            if result == Z_STREAM_END { break }
            switch result {
            case Z_OK: continue
            case Z_BUF_ERROR:
                if inLength == 0 || consumed >= compressed.count { throw fail("stream ends early after \(produced) bytes") }
            default: throw fail("corrupt stream (zlib \(result))")
            }
        }
        guard produced == output.count else { throw fail("inflated \(produced) bytes, expected \(output.count)") }
    }
}
