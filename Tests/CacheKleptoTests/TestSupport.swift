import CacheCore
import CacheKlepto
import Foundation

/// A fresh directory path under the system's temporary directory (not created).
func temporaryPath(_ label: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("cacheklepto-\(label)-\(UUID().uuidString)").path
}

/// A fresh directory, created.
func temporaryDirectory(_ label: String) throws -> String {
    let path = temporaryPath(label)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func key(_ i: Int, name: String = "f") throws -> CacheKey { try CacheKey(name: name, arguments: i) }

func record(_ text: String, format: String = "raw/1") -> KleptoRecord { KleptoRecord(format: format, payload: Array(text.utf8)) }

func readFile(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

func writeFile(_ path: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

/// The four archive kinds, each over fresh storage in a temporary directory.
enum ArchiveKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory, directory, sql, singleFile

    var description: String { rawValue }

    func make(_ label: String) throws -> any KleptoArchive {
        switch self {
        case .memory: return MemoryArchive()
        case .directory: return try DirectoryArchive(path: temporaryPath(label))
        case .sql: return try SQLTableArchive(path: try temporaryDirectory(label) + "/archive.db", name: "t")
        case .singleFile: return try SingleFileArchive(path: try temporaryDirectory(label) + "/archive.klepto")
        }
    }
}
