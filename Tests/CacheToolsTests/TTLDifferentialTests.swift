import CacheCore
import CacheTools
import Foundation
import Testing

/// Issue 18: TTLCache and TLRUCache driven side by side with the real cachetools
/// (`python3 -m pip install cachetools==8.0.2`) over the same seeded random scripts:
/// set (throwing `setValue` vs `c[k] = v`), get, pop, contains, clock ticks in whole
/// milliseconds (monotonic), expire, len, clear; weight = value where weighted. Every
/// operation's outcome must agree. Skips, with the reason printed, when python3 or
/// cachetools is missing, unless SWIFT_CACHE_REQUIRE_SERVICES=1.
@Suite struct TTLDifferentialTests {
    struct Script: Codable {
        var policy: String
        var maxsize: Int
        var weighted: Bool
        var ttlms: Int
        var offset: Int
        var ops: [[Int]]   // [op, a, b]: 0 set k v, 1 get k, 2 pop k, 3 contains k, 4 tick ms, 5 expire, 6 len, 7 clear
    }

    static let python = """
    import json, sys
    import cachetools
    class Timer:
        t = 0
        def __call__(self): return self.t / 1000
    out = []
    for sc in json.load(open(sys.argv[1])):
        tm = Timer()
        gs = (lambda v: v) if sc["weighted"] else None
        if sc["policy"] == "ttl":
            c = cachetools.TTLCache(sc["maxsize"], sc["ttlms"] / 1000, timer=tm, getsizeof=gs)
        else:
            off = sc["offset"]
            c = cachetools.TLRUCache(sc["maxsize"], lambda k, v, n, off=off: n + (v % 7) + 1 + off, timer=tm, getsizeof=gs)
        lines = []
        for op, a, b in sc["ops"]:
            if op == 0:
                try:
                    c[a] = b
                    lines.append("ok")
                except ValueError:
                    lines.append("refused")
            elif op == 1: lines.append(str(c.get(a)))
            elif op == 2: lines.append(str(c.pop(a, None)))
            elif op == 3: lines.append(str(a in c))
            elif op == 4:
                tm.t += a
                lines.append("")
            elif op == 5: lines.append(",".join("%d:%d" % kv for kv in c.expire()))
            elif op == 6: lines.append(str(len(c)))
            else:
                c.clear()
                lines.append("")
        out.append(lines)
    json.dump(out, sys.stdout)
    """

    static func scripts(count: Int, seed: UInt64) -> [Script] {
        var rng = SplitMix64(seed: seed)
        func r(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        return (0..<count).map { i in
            var s = Script(policy: i % 2 == 0 ? "ttl" : "tlru", maxsize: r(7), weighted: r(2) == 0,
                           ttlms: [300, 100, 1_000, 2_500, 3_000, 7][r(6)], offset: r(7) - 4, ops: [])
            for _ in 0..<(20 + r(60)) {
                let op = [0, 0, 0, 1, 1, 2, 3, 4, 4, 5, 6, 7][r(12)]
                let tick = [100, 300, 1_000, 1, 3_000, 0][r(6)]
                s.ops.append([op, op == 4 ? tick : r(6), r(9)])
            }
            return s
        }
    }

    static func swiftOutcome(_ s: Script) throws -> [String] {
        let clock = ManualCacheClock()
        var t = 0
        let byValue: @Sendable (Int, Int) -> Int = { _, v in v }
        let weigher = s.weighted ? byValue : nil
        let offset = Double(s.offset)
        let c: any DifferentialProbe
        if s.policy == "ttl" {
            c = try TTLCache<Int, Int>(maxSize: s.maxsize, ttl: .milliseconds(s.ttlms), weigher: weigher, clock: clock)
        } else {
            let ttu: @Sendable (Int, Int, Double) -> Double = { _, v, now in now + Double(v % 7) + 1 + offset }
            c = try TLRUCache<Int, Int>(maxSize: s.maxsize, ttu: ttu, weigher: weigher, clock: clock)
        }
        return s.ops.map { o -> String in
            let (a, b) = (o[1], o[2])
            switch o[0] {
            case 0:
                do {
                    try c.setValue(b, forKey: a)
                    return "ok"
                } catch { return "refused" }
            case 1: return c.value(forKey: a).map(String.init) ?? "None"
            case 2: return c.removeValue(forKey: a).map(String.init) ?? "None"
            case 3: return c.contains(a) ? "True" : "False"
            case 4:
                t += a
                clock.set(.milliseconds(t))
                return ""
            case 5: return c.expiredPairs().map { "\($0.key):\($0.value)" }.joined(separator: ",")
            case 6: return String(c.count)
            default:
                c.removeAll()
                return ""
            }
        }
    }

    @Test func ttlAndTLRUAgreeWithCachetools8OnRandomScripts() throws {
        let check = try PlainPython.run(["-c", "import cachetools; print(cachetools.__version__)"])
        guard check.status == 0 else {
            if ProcessInfo.processInfo.environment["SWIFT_CACHE_REQUIRE_SERVICES"] == "1" {
                Issue.record("cachetools is required (SWIFT_CACHE_REQUIRE_SERVICES=1) but `python3 -c 'import cachetools'` failed")
            } else {
                print("skipping ttlAndTLRUAgreeWithCachetools8OnRandomScripts: python3 with cachetools is not installed (pip install cachetools==8.0.2)")
            }
            return
        }
        let scripts = Self.scripts(count: 600, seed: 18)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ttl-diff-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try JSONEncoder().encode(scripts).write(to: URL(fileURLWithPath: path))
        let result = try PlainPython.run(["-c", Self.python, path])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try JSONDecoder().decode([[String]].self, from: Data(result.stdout.utf8))
        #expect(expected.count == scripts.count)
        // The scripts reach the interesting cases: refusals, and expiry returning entries.
        let flat = zip(scripts, expected).flatMap { sc, lines in zip(sc.ops, lines).map { ($0[0], $1) } }
        #expect(flat.filter { $0.0 == 0 && $0.1 == "refused" }.count > 100)
        #expect(flat.filter { $0.0 == 5 && !$0.1.isEmpty }.count > 100)
        #expect(flat.filter { $0.0 == 1 && $0.1 != "None" }.count > 100)
        var disagreements = 0
        for (script, want) in zip(scripts, expected) {
            let got = try Self.swiftOutcome(script)
            if let i = zip(got, want).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                disagreements += 1
                if disagreements <= 3 {
                    Issue.record("op \(i) of \(script.policy) maxsize \(script.maxsize) weighted \(script.weighted) ttl \(script.ttlms) ms offset \(script.offset): \(script.ops[...i]) → CacheTools \(got[i]), cachetools \(want[i])")
                }
            }
        }
        #expect(disagreements == 0, "cachetools \(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
}

/// `python3` (no extra modules), its stdout and stderr.
enum PlainPython {
    struct Output { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        // stderr to a file: reading two pipes one after the other can deadlock.
        let out = Pipe()
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("ttl-diff-\(UUID().uuidString).err").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = errHandle
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? errHandle.close()
        let stderr = FileManager.default.contents(atPath: errPath) ?? Data()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

protocol DifferentialProbe {
    func setValue(_ value: Int, forKey key: Int) throws(CacheStoreError)
    func value(forKey key: Int) -> Int?
    @discardableResult func removeValue(forKey key: Int) -> Int?
    func contains(_ key: Int) -> Bool
    var count: Int { get }
    func removeAll()
    func expiredPairs() -> [(key: Int, value: Int)]
}

extension PolicyCache: DifferentialProbe where Key == Int, Value == Int, State: ExpiringCachePolicyState & ~Copyable {
    func expiredPairs() -> [(key: Int, value: Int)] { expire() }
}
