import CacheCore
import CacheJoblib
import Foundation
import Testing

/// Every directory an array cache creates is 0700 and every file 0600, whatever the umask.
@Suite struct ArrayCachePermissionsTests {
    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func directoriesAre0700AndFiles0600() throws {
        let base = TemporaryDirectory("modes")
        defer { base.cleanup() }
        let previous = umask(0o022)
        defer { umask(previous) }
        let root = base.file("nested/arrays")
        let cache = try ArrayCache(directory: root)
        for i in 0..<5 { try cache.setArray((0..<2_000).map { Double($0 + i) }, forKey: CacheKey(name: "f", arguments: i)) }
        try cache.flushHitBookkeeping()
        var checked = 0
        let enumerator = FileManager.default.enumerator(atPath: root)
        #expect(Self.mode(root) == 0o700, "\(root): \(String(Self.mode(root), radix: 8))")
        while let relative = enumerator?.nextObject() as? String {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let expected = isDirectory.boolValue ? 0o700 : 0o600
            #expect(Self.mode(path) == expected, "\(path): \(String(Self.mode(path), radix: 8))")
            checked += 1
        }
        #expect(checked >= 6, "only \(checked) files and directories were created")
    }
}
