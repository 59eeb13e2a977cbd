import CacheCore
import CacheTestKit
import Foundation
import Testing

/// The canonical encoding must not depend on the process: Swift seeds `hashValue`
/// (and so Set and Dictionary order) per process. A child process — `cachectl key`,
/// built beside this test bundle — must print exactly the bytes computed here.
@Suite struct CrossProcessKeyTests {
    static func cachectlPath() -> String? { BuiltExecutable.path("cachectl") }

    @Test func childProcessComputesTheSameKeyBytes() throws {
        guard let cachectl = Self.cachectlPath() else {
            print("skipping: the cachectl executable was not found beside the test bundle (\(CommandLine.arguments[0]))")
            return
        }
        let set = Set((0..<40).map { "member-\($0)" })
        let dict = Dictionary(uniqueKeysWithValues: (0..<40).map { ("k\($0)", $0) })
        let key = try CacheKey(name: "report", version: "3", arguments: 42, "héllo", -0.0, true, set, dict, [UInt8]([0xDE, 0xAD]), Int?.none)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cachectl)
        process.arguments = [
            "key", "--name", "report", "--version", "3", "int:42", "string:héllo", "double:-0.0", "bool:true",
            "set:" + set.shuffled().joined(separator: ","),
            "dict:" + dict.shuffled().map { "\($0.key)=\($0.value)" }.joined(separator: ","),
            "bytes:dead", "none:",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = output.split(separator: "\n").map(String.init)
        let hex = key.storageBytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(lines.contains("bytes \(hex)"))
        #expect(lines.contains("digest \(key.digest.hex)"))
    }
}
