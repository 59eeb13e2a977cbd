import CacheCore
import CacheKlepto
import Foundation
import Testing

final class Account: Codable, Equatable, Sendable {
    let owner: String
    let balance: Double
    let tags: [String]
    init(owner: String, balance: Double, tags: [String]) {
        self.owner = owner
        self.balance = balance
        self.tags = tags
    }
    static func == (a: Account, b: Account) -> Bool { a.owner == b.owner && a.balance == b.balance && a.tags == b.tags }
}

enum Shape: Codable, Equatable, Sendable {
    case circle(radius: Double)
    case rectangle(width: Int, height: Int)
    case labelled(String, inner: [Shape])
    case empty
}

/// A custom serializer: UTF-8 text with a prefix, to show any `CacheSerializer` plugs in.
struct PrefixedTextSerializer: CacheSerializer {
    var id: String { "prefixed-text" }
    var formatVersion: UInt16 { 3 }
    func encode(_ value: String) throws -> [UInt8] { Array(("T:" + value).utf8) }
    func decode(_ bytes: UnsafeRawBufferPointer) throws -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasPrefix("T:") else {
            throw CacheSerializationError(.decoding, serializer: id, type: "String", reason: "missing prefix")
        }
        return String(text.dropFirst(2))
    }
}

@Suite struct SerializerTests {
    @Test(arguments: ArchiveKind.allCases)
    func customClassesAndEnumsRoundTrip(kind: ArchiveKind) throws {
        let archive = try kind.make("types")
        let accounts = try KleptoCache<CacheKey, Account>(archive: archive, policy: .none)
        let account = Account(owner: "ada", balance: 12.5, tags: ["a", "b"])
        try accounts.setValue(account, forKey: key(1))
        #expect(try accounts.value(forKey: key(1)) == account)
        let shapes = try KleptoCache<CacheKey, Shape>(archive: archive, policy: .none)
        let shape = Shape.labelled("group", inner: [.circle(radius: 2), .rectangle(width: 3, height: 4), .empty])
        try shapes.setValue(shape, forKey: key(2))
        #expect(try shapes.value(forKey: key(2)) == shape)
        let json = try KleptoCache<CacheKey, Shape>(archive: archive, policy: .none, serializer: AnyCacheSerializer(JSONCacheSerializer<Shape>()))
        try json.setValue(shape, forKey: key(3))
        #expect(try json.value(forKey: key(3)) == shape)
        #expect(try json.value(forKey: key(2)) == nil, "an entry of another format is a miss")
    }

    @Test func customSerializer() throws {
        let archive = try DirectoryArchive(path: temporaryPath("custom"))
        let cache = try KleptoCache<CacheKey, String>(archive: archive, serializer: AnyCacheSerializer(PrefixedTextSerializer()))
        try cache.setValue("hello", forKey: key(1))
        let raw = try archive.record(forKey: KleptoKeymap.hashing.archiveKey(for: key(1)))
        #expect(raw == KleptoRecord(format: "prefixed-text/3", payload: Array("T:hello".utf8)))
        let reopened = try KleptoCache<CacheKey, String>(archive: DirectoryArchive(path: archive.path),
                                                         serializer: AnyCacheSerializer(PrefixedTextSerializer()))
        #expect(try reopened.value(forKey: key(1)) == "hello")
    }

    @Test func jsonDirectoryArchiveIsReadable() throws {
        struct Profile: Codable, Equatable, Sendable { var name: String; var visits: Int }
        let archive = try DirectoryArchive(path: temporaryPath("json"))
        let cache = try KleptoCache<CacheKey, Profile>(
            archive: archive, keymap: .string, serializer: AnyCacheSerializer(JSONCacheSerializer<Profile>()))
        try cache.setValue(Profile(name: "Ada", visits: 3), forKey: CacheKey(name: "profile", arguments: "ada"))
        let files = try FileManager.default.contentsOfDirectory(atPath: archive.path + "/entries")
        #expect(files.count == 1)
        let text = try String(contentsOfFile: archive.path + "/entries/" + files[0], encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[1] == #"{"name":"Ada","visits":3}"#)
        // Both lines are JSON texts, as `jq` reads them.
        let header = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [Any]
        #expect(header?.first as? String == "cacheklepto-entry")
        #expect(header?[2] as? String == "json/1")
        let value = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        #expect(value?["visits"] as? Int == 3)
        #expect(try cache.archiveKeyDescriptions() == [#"profile:(string:"ada")"#])
    }
}
