import CacheCore
import CacheKlepto
import Foundation
import Testing

/// Every directory an archive creates is 0700 and every file 0600, whatever the umask:
/// other users on the machine can neither list nor read cached values.
@Suite struct KleptoPermissionsTests {
    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// Every file and directory under `root` (itself included) with its mode.
    static func modes(under root: String) -> [(path: String, mode: Int, directory: Bool)] {
        var out: [(String, Int, Bool)] = [(root, mode(root), true)]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            out.append((path, mode(path), isDirectory.boolValue))
        }
        return out
    }

    @Test(arguments: ["directory", "sql", "file"])
    func directoriesAre0700AndFiles0600(kind: String) throws {
        let root = temporaryPath("modes-\(kind)") + "/nested"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let previous = umask(0o022)
        defer { umask(previous) }
        let archive: any KleptoArchive
        switch kind {
        case "directory": archive = try DirectoryArchive(path: root)
        case "sql":
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            archive = try SQLTableArchive(path: root + "/archive.db")
        default:
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            archive = try SingleFileArchive(path: root + "/archive.klepto")
        }
        let cache = try KleptoCache<CacheKey, String>(archive: archive, policy: .lru(maxSize: 4))
        for i in 0..<10 { try cache.setValue("value \(i)", forKey: key(i)) }
        let found = Self.modes(under: root)
        #expect(found.count > 1)
        for entry in found {
            #expect(entry.mode == (entry.directory ? 0o700 : 0o600), "\(entry.path): \(String(entry.mode, radix: 8))")
        }
    }
}
