// A child process for CacheKlepto's cross-process tests: several of these write one
// archive at once, or one is killed (SIGKILL) in the middle of write-back writes.
//
//   CacheKleptoProbe write <directory|sql|file> <path> <worker> <count>
//     writes keys (worker, 0..<count) = "w<worker>-<i>" and key ("shared") = "w<worker>-<i>"
//     through a write-through KleptoCache, then prints "done".
//   CacheKleptoProbe writeback <directory|sql|file> <path> <count>
//     writes keys 0..<count with write-back, dumps, prints "dumped <count>", then keeps
//     writing keys count... (never dumped explicitly) until it is killed.
//   CacheKleptoProbe churn <directory|sql|file> <path> <through|back> <start>
//     writes i = start, start+1, … as "k<k>:<i>" under key (k = i % 97) until it is
//     killed; write-through prints "ack <i>" after every 16th write returned, write-back
//     flushes every 20 ms.
import CacheCore
import CacheKlepto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `text` to file descriptor `fd` unbuffered (the parent waits for these lines).
func say(_ text: String, to fd: Int32 = 1) {
    let bytes = Array(text.utf8)
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
        if n <= 0 { return }
        done += n
    }
}

func fail(_ message: String) -> Never {
    say("CacheKleptoProbe: \(message)\n", to: 2)
    exit(2)
}

func archive(_ kind: String, _ path: String, writeBack: Bool) throws -> any KleptoArchive {
    switch kind {
    case "directory": return try DirectoryArchive(path: path)
    case "sql": return try SQLTableArchive(path: path, name: "shared")
    case "file": return try SingleFileArchive(path: path, mode: writeBack ? .writeBack : .writeThrough)
    default: fail("unknown archive kind \(kind)")
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 5 else { fail("usage: write|writeback <kind> <path> …") }
do {
    switch arguments[1] {
    case "write":
        guard arguments.count == 6, let worker = Int(arguments[4]), let count = Int(arguments[5]) else { fail("bad write arguments") }
        let cache = try KleptoCache<CacheKey, String>(archive: archive(arguments[2], arguments[3], writeBack: false), policy: .lru(maxSize: 16))
        for i in 0..<count {
            try cache.setValue("w\(worker)-\(i)", forKey: CacheKey(name: "probe", arguments: worker, i))
            try cache.setValue("w\(worker)-\(i)", forKey: CacheKey(name: "probe", arguments: "shared"))
        }
        say("done\n")
    case "writeback":
        guard let count = Int(arguments[4]) else { fail("bad writeback arguments") }
        let cache = try KleptoCache<CacheKey, String>(archive: archive(arguments[2], arguments[3], writeBack: true),
                                                      writeMode: .writeBack(flushInterval: .seconds(3_600)))
        for i in 0..<count { try cache.setValue("v\(i)", forKey: CacheKey(name: "probe", arguments: i)) }
        try cache.dump()
        say("dumped \(count)\n")
        var i = count
        while true {
            try cache.setValue("v\(i)", forKey: CacheKey(name: "probe", arguments: i))
            i += 1
            if i % 64 == 0 { usleep(1_000) }
        }
    case "churn":
        guard arguments.count == 6, let start = Int(arguments[5]) else { fail("bad churn arguments") }
        let writeBack = arguments[4] == "back"
        let cache = try KleptoCache<CacheKey, String>(
            archive: archive(arguments[2], arguments[3], writeBack: writeBack), policy: .lru(maxSize: 32),
            writeMode: writeBack ? .writeBack(flushInterval: .milliseconds(20)) : .writeThrough)
        var i = start
        while true {
            let k = i % 97
            try cache.setValue("k\(k):\(i)", forKey: CacheKey(name: "churn", arguments: k))
            if !writeBack && i % 16 == 0 { say("ack \(i)\n") }
            i += 1
        }
    default:
        fail("unknown command \(arguments[1])")
    }
} catch {
    fail("\(error)")
}
