import CacheAsync
import CacheAutoSelect
import CacheCore
import CacheRedis
import CacheTestKit
import Foundation
import Testing

/// A Redis password or ACL user never appears in what people read: a configuration's
/// description, debug description or `dump`, an error about a bad URL, the selection's
/// explanation, or a log line of a failing connection (searched in captured output).
@Suite struct RedisSecretsTests {
    static let user = "alice-acl-user"
    static let password = "Sup3r-S3cret-pa55"

    func expectHidden(_ text: String, _ what: String) {
        #expect(!text.contains(Self.password), "\(what) shows the password: \(text)")
        #expect(!text.contains(Self.user), "\(what) shows the ACL user: \(text)")
    }

    @Test func configurationsNeverShowCredentials() throws {
        let configuration = try RedisConfiguration(url: "redis://\(Self.user):\(Self.password)@127.0.0.1:7001/3?prefix=p:")
        #expect(configuration.password == Self.password && configuration.username == Self.user)
        expectHidden(String(describing: configuration), "description")
        expectHidden(String(reflecting: configuration), "debugDescription")
        var dumped = ""
        dump(configuration, to: &dumped)
        expectHidden(dumped, "dump")
        #expect(String(describing: configuration).contains("127.0.0.1:7001/3"))
        let settings = try CacheEngineSettings.redis(url: "redis://\(Self.user):\(Self.password)@127.0.0.1:7001")
        expectHidden(String(describing: settings), "engine settings")
    }

    @Test(arguments: [
        "redis://\(user):\(password)@127.0.0.1:notaport",
        "redis://\(user):\(password)@127.0.0.1:7001/notadb",
        "redis://\(user):\(password)%zz@127.0.0.1:7001",
        "redis://\(password)%zz@127.0.0.1",
        "redis://:\(password)@127.0.0.1?timeout=never",
        "http://\(user):\(password)@127.0.0.1",
    ])
    func badURLErrorsNeverShowCredentials(url: String) {
        do {
            _ = try RedisConfiguration(url: url)
            Issue.record("\(url) was accepted")
        } catch {
            expectHidden(error.description, "the error")
            expectHidden(String(reflecting: error), "the error's reflection")
            #expect(error.setting == "url")
        }
    }

    @Test func theSelectionsExplanationNeverShowsCredentials() throws {
        var configuration = try CacheConfiguration()
        configuration.options["url"] = "redis://\(Self.user):\(Self.password)@127.0.0.1:7001"
        let choice = EngineChoice("CacheRedis", configuration: configuration)
        expectHidden(choice.description, "an engine choice")
        #expect(choice.description.contains("redis://***@127.0.0.1:7001"), "\(choice.description)")
        #expect(CredentialRedaction.redact("url=redis://u:p@h:1/0 and redis://secret@h, plain") == "url=redis://***@h:1/0 and redis://***@h, plain")
    }

    @Test func failingConnectionsLogNoCredentials() async throws {
        let log = CapturedLog()
        // Nothing listens on port 1: the connection fails, is logged and raised.
        let client = try RedisClient(url: "redis://\(Self.user):\(Self.password)@127.0.0.1:1?connectTimeout=200", logger: log.logger)
        let store = RedisStore<AsyncCacheEntry<Int>>(client: client, logger: log.logger)
        _ = try? await store.value(forKey: CacheKey(name: "f", arguments: 1))
        do {
            _ = try await client.send("PING")
            Issue.record("a PING to a closed port succeeded")
        } catch {
            expectHidden("\(error)", "the connection error")
            expectHidden(String(reflecting: error), "the connection error's reflection")
        }
        let lines = log.lines.withLock { $0.map(\.message) }
        #expect(!lines.isEmpty, "the failing connection logged nothing")
        for line in lines { expectHidden(line, "a log line") }
        await client.close()
    }
}
