import CacheFuzzChecks
import Foundation
import Testing

/// Every committed seed and every saved crash (`Integration/Fuzz/corpus/<target>/`) passes
/// its target's checks in the normal build: a crash the fuzzer found once is a regression
/// test from then on.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Integration/Fuzz/corpus").path

    @Test(arguments: FuzzTarget.allCases)
    func committedCorpusPasses(_ target: FuzzTarget) throws {
        let folder = Self.corpus + "/" + target.rawValue
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(!names.isEmpty, "no seeds for \(target.rawValue) in \(folder)")
        for name in names {
            let bytes = try #require(FuzzCorpus.read(folder + "/" + name), "\(name) unreadable")
            bytes.withUnsafeBytes { target.check($0) }
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func freshSeedsAreAcceptedAndPass(_ target: FuzzTarget) {
        let seeds = FuzzSeeds.make(target)
        #expect(!seeds.isEmpty)
        for seed in seeds {
            #expect(!seed.bytes.isEmpty, "\(seed.name) is empty")
            seed.bytes.withUnsafeBytes { target.check($0) }
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everyTruncationAndBitFlipOfASeedIsHandled(_ target: FuzzTarget) {
        for seed in FuzzSeeds.make(target) {
            var bytes = seed.bytes
            for cut in stride(from: 0, to: bytes.count, by: Swift.max(1, bytes.count / 64)) {
                bytes.prefix(cut).withUnsafeBytes { target.check(UnsafeRawBufferPointer($0)) }
            }
            for i in stride(from: 0, to: bytes.count, by: Swift.max(1, bytes.count / 64)) {
                bytes[i] ^= 0x5A
                bytes.withUnsafeBytes { target.check($0) }
                bytes[i] ^= 0x5A
            }
        }
    }
}
