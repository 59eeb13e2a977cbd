import CacheFuzzChecks
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `text` to standard error.
func printError(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

#if SWIFT_CACHE_FUZZ
// The libFuzzer build (Integration/Fuzz/run.sh: `--sanitize=fuzzer --sanitize=address
// -Xswiftc -DSWIFT_CACHE_FUZZ`): libFuzzer owns `main`; FUZZ_TARGET picks the reader.

/// The target FUZZ_TARGET names, read once.
let fuzzTarget: FuzzTarget = {
    let name = getenv("FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        printError("FUZZ_TARGET must be one of: \(names) (got '\(name)')\n")
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzTarget.check(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}
#else
/// Without libFuzzer: `CacheFuzz TARGET FILE…` runs each file through the target's checks
/// once (replaying a corpus or a saved crash in a normal build).
@main
struct CacheFuzzReplay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.first == "--write-seeds", let directory = arguments.dropFirst().first {
            writeSeeds(to: directory)
            return
        }
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            printError("usage: CacheFuzz TARGET FILE...   (TARGET: \(names))\n")
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            guard let bytes = FuzzCorpus.read(path) else {
                printError("CacheFuzz: cannot read \(path)\n")
                exit(1)
            }
            bytes.withUnsafeBytes { target.check($0) }
            count += 1
        }
        print("\(target.rawValue): \(count) inputs passed")
    }

    /// Writes every target's seeds to `DIRECTORY/<target>/<name>` (the committed corpora).
    static func writeSeeds(to directory: String) {
        for target in FuzzTarget.allCases {
            let folder = directory + "/" + target.rawValue
            mkdir(folder, 0o755)
            for seed in FuzzSeeds.make(target) {
                let path = folder + "/" + seed.name
                guard let file = fopen(path, "wb") else { printError("cannot write \(path)\n"); exit(1) }
                _ = seed.bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
                fclose(file)
            }
            print("\(target.rawValue): \(FuzzSeeds.make(target).count) seeds")
        }
    }
}
#endif
