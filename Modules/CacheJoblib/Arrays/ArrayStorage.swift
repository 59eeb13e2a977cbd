#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The read-only bytes behind a ``ShapedArray``: owned memory or a read-only memory map.
///
/// A mapped file is never modified in place by this library (files are written to a
/// temporary name and renamed), so unlinking or replacing it is safe; truncating it
/// from outside while it is mapped makes reads of the lost pages fault the process
/// (SIGBUS). Use a copy-on-load cache for directories others may tamper with.
// Safe to share: every stored property is a `let`, the bytes are never written after
// `init` returns, and `deinit` runs once, when no array refers to the storage.
public final class ArrayStorage: @unchecked Sendable {
    enum Release {
        case none
        case deallocate(UnsafeMutableRawPointer)
        case unmap(UnsafeMutableRawPointer, Int)
    }

    /// The first element's byte.
    public let baseAddress: UnsafeRawPointer
    /// Bytes of element data.
    public let byteCount: Int
    let release: Release

    init(baseAddress: UnsafeRawPointer, byteCount: Int, release: Release) {
        self.baseAddress = baseAddress
        self.byteCount = byteCount
        self.release = release
    }

    /// Whether the bytes are a read-only memory map of a file.
    public var isMemoryMapped: Bool {
        if case .unmap = release { return true }
        return false
    }

    /// Fresh owned memory of `byteCount` bytes, initialized by `body`.
    static func owned(byteCount: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows -> ArrayStorage {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        do {
            try body(UnsafeMutableRawBufferPointer(start: memory, count: byteCount))
        } catch {
            memory.deallocate()
            throw error
        }
        return ArrayStorage(baseAddress: UnsafeRawPointer(memory), byteCount: byteCount, release: .deallocate(memory))
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: baseAddress, count: byteCount) }

    deinit {
        switch release {
        case .none: break
        case .deallocate(let memory): memory.deallocate()
        case .unmap(let address, let length): munmap(address, length)
        }
    }
}
