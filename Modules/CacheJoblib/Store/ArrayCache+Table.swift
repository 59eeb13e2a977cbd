import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ArrayCache {
    /// Stores `table` under `key` as a directory of `.npy` files, one per column, that
    /// `numpy.load` opens (named `<column>.npy` when the name is a plain file name,
    /// `column-<i>.npy` otherwise; the index keeps the order and the names). The directory
    /// is assembled under `tmp/` and renamed into place whole. Tables are not compressed.
    public func setTable(_ table: ArrayTable, forKey key: CacheKey, computeTime: Duration? = nil) throws {
        let storageKey = key.storageBytes
        let digest = CacheHash.digest(storageKey).hex
        let temporary = PosixFile.temporaryName(in: directory + "/tmp", suffix: ".table")
        try PosixFile.makeDirectories(temporary)
        var files: [String] = []
        var rawBytes = 0
        var hasher = XXH3Hasher128()
        do {
            for (i, column) in table.columns.enumerated() {
                let file = Self.columnFileName(column.name, index: i)
                let header = NumPyHeader.encode(elementType: column.values.elementType, shape: column.values.shape)
                try header.withUnsafeBytes { headerBytes in
                    try column.values.withUnsafeBytes { body in
                        hasher.update(headerBytes)
                        hasher.update(body)
                        try PosixFile.writeAtomically([headerBytes, body], to: temporary + "/" + file,
                                                      temporaryDirectory: temporary, sync: options.synchronousWrites)
                    }
                }
                files.append(file)
                rawBytes += header.count + column.values.storage.byteCount
            }
        } catch {
            PosixFile.removeTree(temporary)
            throw error
        }
        if let limit = options.bytesLimit, rawBytes > limit {
            PosixFile.removeTree(temporary)
            throw CacheStoreError(.itemTooLarge, key: cacheDescribeKey(key), detail: "\(rawBytes) bytes exceed the cache's bytesLimit \(limit)")
        }
        let subdirectory = "arrays/" + digest.prefix(2)
        let relative = "\(subdirectory)/\(digest)-\(String(UInt64.random(in: 0...UInt64.max), radix: 36)).table"
        do {
            try ensureDirectory(subdirectory)
            guard rename(temporary, directory + "/" + relative) == 0 else {
                throw PosixFile.ioError("rename to \(directory)/\(relative)", temporary)
            }
        } catch {
            PosixFile.removeTree(temporary)
            throw error
        }
        let identity: String
        do {
            identity = try files.map { try ArrayFileIdentity.of(path: directory + "/" + relative + "/" + $0).description }.joined(separator: ";")
        } catch {
            removeFile(relative)
            throw error
        }
        let checksum = hasher.finalize()
        let (function, version) = Self.split(namespace: key.namespace)
        let now = options.clock.now()
        let columns = zip(table.columns, files).map { Self.escape($0.name) + "=" + Self.escape($1) + ":" + $0.values.elementType.rawValue }
        try commit(ArrayCacheEntry(
            key: storageKey, namespace: key.namespace, function: function, version: version, kind: .table, file: relative,
            dtype: nil, shape: "[\(table.rowCount)]", columns: columns.joined(separator: ","), compression: ArrayCompression.none.name,
            compressionLevel: 0, serializer: nil, formatVersion: 1, hashAlgorithm: CacheHash.algorithmID,
            arguments: String(cacheDescribeKey(key, limit: 200)), rawBytes: rawBytes, fileBytes: rawBytes,
            stored: now, accessed: now, hits: 0, computeSeconds: computeTime?.cacheSeconds,
            fileIdentity: identity, checksum: checksum))
        ArrayFileIntegrity.markVerified(.init(path: directory + "/" + relative, identity: identity, checksum: checksum))
    }

    /// The table stored under `key`, or nil (a miss). Columns load per the load mode.
    public func table(forKey key: CacheKey) throws -> ArrayTable? {
        try lookup(key, count: true) { entry, path in
            let listed = try Self.tableColumns(entry)
            // Read every column, verify them together (one checksum over the files in order), then adopt.
            var raws: [RawArrayFile] = []
            do {
                for column in listed { raws.append(try RawArrayFile.read(path + "/" + column.file, map: options.loadMode.maps)) }
                try verify(entry, path: path, files: raws)
            } catch {
                for raw in raws { raw.release() }
                throw error
            }
            var columns: [(name: String, values: AnyShapedArray)] = []
            var pending = raws[...]
            defer { for raw in pending { raw.release() } }
            for column in listed {
                let raw = pending.removeFirst()
                let values = try raw.adoptArray(path: path + "/" + column.file)
                guard values.elementType.rawValue == column.dtype else {
                    throw mismatch(entry, "column \(column.name) holds \(values.elementType), the index says \(column.dtype)")
                }
                columns.append((column.name, values))
            }
            return try ArrayTable(columns: columns)
        }
    }

    /// `name.npy` for plain names, `column-<i>.npy` otherwise.
    static func columnFileName(_ name: String, index: Int) -> String {
        let plain = name.utf8.count <= 100 && !name.hasPrefix(".") && name.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D
        }
        return plain ? "\(name).npy" : "column-\(index).npy"
    }

    /// Percent-escapes `%`, `,`, `=` and `:` so the column list parses back unambiguously.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%", ",", "=", ":": out += "%" + String(scalar.value, radix: 16, uppercase: true)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func unescape(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let h = iterator.next(), let l = iterator.next(),
                      let value = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
