import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How an array file is brought into memory.
public enum ArrayLoadMode: Sendable, Hashable {
    /// A read-only memory map: a load costs an open and an mmap, pages are read on touch.
    /// Truncating the file from outside while it is mapped faults the process (SIGBUS),
    /// and bytes rewritten in place while mapped show through the map: use ``copy`` for
    /// directories others may tamper with. (``ArrayCache`` refuses, at load time, a
    /// mapped file that is not the one it stored; see its Integrity paragraph.)
    case memoryMapped
    /// The file is read into owned memory.
    case copy
    /// Memory-map files of at least `threshold` bytes, read smaller ones.
    case automatic(threshold: Int)

    /// Map from 1 MiB up.
    public static let `default` = ArrayLoadMode.automatic(threshold: 1 << 20)

    func maps(fileSize: Int) -> Bool {
        switch self {
        case .memoryMapped: true
        case .copy: false
        case .automatic(let threshold): fileSize >= threshold
        }
    }
}

/// Reads and writes NumPy `.npy` files (format 1.0/2.0/3.0 read; 1.0, or 2.0 for huge
/// headers, written), little-endian, C order — the files `numpy.load` opens.
public enum NumPyFile {
    /// The complete `.npy` bytes of `array`.
    public static func encode<A: CacheArrayConvertible>(_ array: A) -> [UInt8] {
        var out = NumPyHeader.encode(elementType: A.Element.numpyType, shape: array.cacheArrayShape)
        array.withCacheArrayElements { out.append(contentsOf: UnsafeRawBufferPointer($0)) }
        return out
    }

    /// Writes `array` to `path` through a temporary file and a rename (mode 0600),
    /// so a reader never sees half a file.
    /// - Parameter sync: `fsync` before the rename (durable across power loss, slower).
    public static func write<A: CacheArrayConvertible>(_ array: A, to path: String, temporaryDirectory: String? = nil, sync: Bool = false) throws {
        let count = array.withCacheArrayElements { $0.count }
        let expected = try ShapedArray<A.Element>.elementCount(of: array.cacheArrayShape)
        guard count == expected else {
            throw NumPyFormatError(.invalidShape("shape \(array.cacheArrayShape) holds \(expected) elements, the value has \(count)"), path: path, offset: 0)
        }
        let header = NumPyHeader.encode(elementType: A.Element.numpyType, shape: array.cacheArrayShape)
        let directory = temporaryDirectory ?? parentDirectory(of: path)
        try header.withUnsafeBytes { headerBytes in
            try array.withCacheArrayElements { elements in
                try PosixFile.writeAtomically([headerBytes, UnsafeRawBufferPointer(elements)], to: path, temporaryDirectory: directory, sync: sync)
            }
        }
    }

    /// Decodes `.npy` bytes into owned memory. Throws ``NumPyFormatError``.
    public static func decode(_ bytes: UnsafeRawBufferPointer, path: String = "<memory>") throws -> AnyShapedArray {
        let header = try NumPyHeader.parse(bytes, path: path)
        let available = bytes.count - header.dataOffset
        guard available == header.dataByteCount else {
            throw NumPyFormatError(.sizeMismatch(expected: header.dataByteCount, actual: available), path: path, offset: header.dataOffset)
        }
        let storage = ArrayStorage.owned(byteCount: header.dataByteCount) { target in
            if header.dataByteCount > 0 {
                target.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[header.dataOffset...]))
            }
        }
        return AnyShapedArray(elementType: header.elementType, shape: header.shape, storage: storage)
    }

    /// Loads the `.npy` file at `path`. Throws ``NumPyFormatError`` for a malformed,
    /// truncated, big-endian or Fortran-order file and `CacheIOError` when it cannot be read.
    public static func load(path: String, mode: ArrayLoadMode = .default) throws -> AnyShapedArray {
        let fd = try PosixFile.openForReading(path)
        defer { close(fd) }
        let size = try PosixFile.size(of: fd, path: path)
        if mode.maps(fileSize: size) && size >= NumPyHeader.preambleLength {
            return try loadMapped(fd: fd, size: size, path: path)
        }
        return try loadCopy(fd: fd, size: size, path: path)
    }

    /// Loads a typed array from `path` (see ``load(path:mode:)``); throws
    /// ``NumPyFormatError`` (`.typeMismatch`) when the file holds another element type.
    public static func load<Element: NumPyElement>(path: String, as type: Element.Type, mode: ArrayLoadMode = .default) throws -> ShapedArray<Element> {
        try load(path: path, mode: mode).typed(as: type, path: path)
    }

    static func loadCopy(fd: Int32, size: Int, path: String) throws -> AnyShapedArray {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 64)
        do {
            try PosixFile.readFully(fd, into: UnsafeMutableRawBufferPointer(start: buffer, count: size), at: 0, path: path)
        } catch {
            buffer.deallocate()
            throw error
        }
        return try adopt(buffer, size: size, path: path)
    }

    /// Parses a whole `.npy` file held in `buffer` (allocated with 64-byte alignment) and
    /// returns an array that owns it. Deallocates `buffer` when it throws.
    static func adopt(_ buffer: UnsafeMutableRawPointer, size: Int, path: String) throws -> AnyShapedArray {
        var owned = true
        defer { if owned { buffer.deallocate() } }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: size)
        let header = try NumPyHeader.parse(bytes, path: path)
        let available = size - header.dataOffset
        guard available == header.dataByteCount else {
            throw NumPyFormatError(.sizeMismatch(expected: header.dataByteCount, actual: available), path: path, offset: header.dataOffset)
        }
        if header.dataOffset % header.elementType.byteSize != 0 {
            // An odd header length from another writer: copy the body to aligned memory.
            return try decode(bytes, path: path)
        }
        owned = false
        let storage = ArrayStorage(baseAddress: UnsafeRawPointer(buffer + header.dataOffset), byteCount: header.dataByteCount, release: .deallocate(buffer))
        return AnyShapedArray(elementType: header.elementType, shape: header.shape, storage: storage)
    }

    static func loadMapped(fd: Int32, size: Int, path: String) throws -> AnyShapedArray {
        guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapping != MAP_FAILED else {
            throw PosixFile.ioError("mmap", path)
        }
        return try adoptMapping(mapping, size: size, path: path)
    }

    /// Parses a whole `.npy` file mapped at `mapping` (`size` bytes) and returns an array
    /// that owns the mapping. Unmaps it when it throws.
    static func adoptMapping(_ mapping: UnsafeMutableRawPointer, size: Int, path: String) throws -> AnyShapedArray {
        var keep = false
        defer { if !keep { munmap(mapping, size) } }
        let bytes = UnsafeRawBufferPointer(start: mapping, count: size)
        let header = try NumPyHeader.parse(bytes, path: path)
        let available = size - header.dataOffset
        guard available == header.dataByteCount else {
            throw NumPyFormatError(.sizeMismatch(expected: header.dataByteCount, actual: available), path: path, offset: header.dataOffset)
        }
        if header.dataOffset % header.elementType.byteSize != 0 { return try decode(bytes, path: path) }
        keep = true
        let storage = ArrayStorage(
            baseAddress: UnsafeRawPointer(mapping + header.dataOffset), byteCount: header.dataByteCount,
            release: .unmap(mapping, size))
        return AnyShapedArray(elementType: header.elementType, shape: header.shape, storage: storage)
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
