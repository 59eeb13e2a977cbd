import CacheCore
import CacheTestKit
import CacheKlepto
import Foundation
import Testing

/// Crash safety: a child process (CacheKleptoProbe `churn`) writes one archive without
/// pause and is killed with SIGKILL at a random moment, again and again. After each kill
/// the archive opens, no entry verifies as damaged (nothing torn), every entry holds a
/// value that was written for its key, and — write-through — every write the child saw
/// return is there (or a later one for the same key).
///
/// 20 kills per archive and mode in the suite; `SWIFT_CACHE_STRESS_FULL=1` runs 100. Kill
/// loops stay out of the Thread Sanitizer pass.
@Suite(.disabled(if: runningUnderThreadSanitizer, "kill loops stay out of the TSan pass"))
struct KillLoopTests {
    static var kills: Int { stressAtFullSize ? 100 : 20 }
    static let keys = 97

    /// The value stored for `k`, checked to be one the child wrote for `k`; its write number.
    static func written(_ value: String, key k: Int) -> Int? {
        let parts = value.split(separator: ":")
        guard parts.count == 2, parts[0] == "k\(k)", let i = Int(parts[1]), i % keys == k else { return nil }
        return i
    }

    @Test(arguments: [("directory", "through"), ("sql", "through"), ("file", "through"),
                      ("directory", "back"), ("sql", "back"), ("file", "back")])
    func killedWritersLeaveWholeEntries(kind: String, mode: String) throws {
        guard ProcessSafetyTests.probe() != nil else {
            Issue.record("the CacheKleptoProbe executable was not built beside the tests")
            return
        }
        let directory = try temporaryDirectory("kill-\(kind)-\(mode)")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + (kind == "directory" ? "/archive" : kind == "sql" ? "/archive.db" : "/archive.klepto")
        var random = SplitMix64(seed: UInt64(kind.utf8.count * 31 + mode.utf8.count))
        var acknowledged: [Int: Int] = [:]  // key → the newest write the child saw return
        var survivedKills = 0
        for round in 0..<Self.kills {
            let start = round * 1_000_000
            let (process, pipe) = try ProcessSafetyTests.start(["churn", kind, path, mode, "\(start)"])
            // Let it get going (the first round also creates the archive), then kill it mid-write.
            usleep(useconds_t(round == 0 ? 150_000 : 5_000 + Int(random.next() % 60_000)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "round \(round): the child exited on its own")
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for line in output.split(separator: "\n") where line.hasPrefix("ack ") {
                if let i = Int(line.dropFirst(4)) { acknowledged[i % Self.keys] = Swift.max(acknowledged[i % Self.keys] ?? -1, i) }
            }

            let archive = try ProcessSafetyTests.open(kind, path)
            let report = try archive.check()
            #expect(report.damaged.isEmpty, "round \(round): \(report.damaged)")
            let cache = try KleptoCache<CacheKey, String>(archive: archive, policy: .none)
            for k in 0..<Self.keys {
                guard let value = try cache.value(forKey: CacheKey(name: "churn", arguments: k)) else {
                    #expect(acknowledged[k] == nil, "round \(round): key \(k) lost its acknowledged write \(acknowledged[k] ?? -1)")
                    continue
                }
                let i = Self.written(value, key: k)
                #expect(i != nil, "round \(round): key \(k) holds '\(value)', which was never written for it")
                if let i, let acked = acknowledged[k] {
                    #expect(i >= acked, "round \(round): key \(k) holds write \(i), older than the acknowledged \(acked)")
                }
            }
            #expect(cache.stats.decodeFailures == 0, "round \(round): a torn entry was read")
            survivedKills += 1
        }
        #expect(survivedKills == Self.kills)
        if mode == "through" { #expect(!acknowledged.isEmpty, "the child never acknowledged a write") }
    }
}
