import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `redis-server` started for a test on 127.0.0.1, on a free port, in a
/// temporary directory, with persistence off; stopped by ``stop()``.
// @unchecked Sendable: the one mutable property, `pid`, is written only by start(),
// kill() and stop() (and deinit) and read by pause() and resume(), all of which the owning
// test calls one after another on its own task; every other access, from any task or
// thread, reads the immutable `port`, `directory` and `extraArguments`.
final class RedisServer: @unchecked Sendable {
    let port: Int
    let directory: URL
    let extraArguments: [String]
    private var pid: pid_t?

    static var binary: String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin").split(separator: ":") {
            let candidate = "\(dir)/redis-server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static var servicesRequired: Bool { ProcessInfo.processInfo.environment["SWIFT_CACHE_REQUIRE_SERVICES"] == "1" }

    /// A started server, or `nil` (with the reason printed) when redis-server is missing.
    /// Under SWIFT_CACHE_REQUIRE_SERVICES=1 a missing binary is an error instead.
    static func startIfAvailable(_ extraArguments: [String] = [], function: String = #function) throws -> RedisServer? {
        guard binary != nil else {
            if servicesRequired { throw ServerError(reason: "redis-server is not on PATH but SWIFT_CACHE_REQUIRE_SERVICES=1") }
            print("skipping \(function): redis-server is not on PATH (apt-get install redis-server)")
            return nil
        }
        let server = try RedisServer(extraArguments: extraArguments)
        try server.start()
        return server
    }

    struct ServerError: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    init(extraArguments: [String]) throws {
        self.port = try freePort()
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("swift-cache-redis-\(UUID().uuidString)")
        self.extraArguments = extraArguments
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var url: String { "redis://127.0.0.1:\(port)" }

    func start() throws {
        let arguments = [RedisServer.binary!, "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                         "--dir", directory.path, "--daemonize", "no", "--loglevel", "warning"] + extraArguments
        pid = try spawn(arguments, outputPath: directory.appendingPathComponent("redis.log").path)
        // Wait (bounded) until it accepts connections.
        for _ in 0..<500 {
            if canConnect(port: port) { return }
            usleep(10_000)
        }
        throw ServerError(reason: "redis-server did not start listening on port \(port) within 5 s")
    }

    /// Kills the server (SIGKILL, as a crash would) and reaps it.
    func kill() {
        guard let pid else { return }
        signalAndReap(pid, SIGKILL)
        self.pid = nil
    }

    /// Pauses (`SIGSTOP`) or resumes (`SIGCONT`) the server: it keeps its connections
    /// open but answers nothing while paused.
    func pause() { if let pid { sendSignal(pid, SIGSTOP) } }
    func resume() { if let pid { sendSignal(pid, SIGCONT) } }

    func stop() {
        if let pid { signalAndReap(pid, SIGTERM) }
        pid = nil
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}

/// `kill(2)` (a free function: inside RedisServer the name is its own `kill()`).
func sendSignal(_ pid: pid_t, _ signal: Int32) { _ = kill(pid, signal) }

/// Starts `arguments[0]` with posix_spawn (stdout and stderr to `outputPath`).
func spawn(_ arguments: [String], outputPath: String) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    // The server must not inherit the test process's other descriptors: a pipe another
    // test is reading to its end (a python3 or cachectl child's stdout) would stay open in
    // the server and that read would wait until the server stops.
    closeInheritedDescriptors(&actions)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    // The test process blocks signals on its threads; the child must not inherit that mask,
    // or it would never see SIGTERM.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, environ)
    guard rc == 0 else { throw RedisServer.ServerError(reason: "posix_spawn \(arguments[0]) failed: \(rc)") }
    return pid
}

/// Adds "close every descriptor from 3 up" to `actions` (glibc ≥ 2.34's
/// `posix_spawn_file_actions_addclosefrom_np`, looked up at run time because the Glibc
/// module does not export it). Without it the child inherits only what was open at spawn.
private func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    #if os(Linux)
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return }
    _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    #endif
}

/// Sends `signal` and reaps the process; one that has not exited within 5 s is killed
/// (SIGKILL), so stopping a server can never hang a test.
func signalAndReap(_ pid: pid_t, _ signal: Int32) {
    _ = kill(pid, signal)
    var status: Int32 = 0
    for _ in 0..<500 {
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid || (reaped < 0 && errno != EINTR) { return }
        usleep(10_000)
    }
    _ = kill(pid, SIGKILL)
    _ = waitpid(pid, &status, 0)
}

/// A free TCP port on 127.0.0.1 (bound to 0, read back, released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            bind(fd, sa, length) == 0 && getsockname(fd, sa, &length) == 0
        }
    }
    guard ok else { throw RedisServer.ServerError(reason: "could not find a free port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// A TCP listener on 127.0.0.1 that answers every connection with fixed bytes (or never
/// answers), to test what the client does with a broken or silent server.
final class FakeServer: Sendable {
    let fd: Int32
    let port: Int

    /// - Parameter reply: bytes written after the first read; `nil` = accept and stay silent.
    init(reply: [UInt8]?) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, length) == 0 && getsockname(fd, sa, &length) == 0 && listen(fd, 16) == 0
            }
        }
        guard ok else { throw RedisServer.ServerError(reason: "fake server could not listen: errno \(errno)") }
        port = Int(UInt16(bigEndian: address.sin_port))
        let listener = fd
        Thread.detachNewThread {
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 {
                    // Closed here, not in stop(): were stop() to close it, the descriptor
                    // number could be reused by the next test's listener before this loop
                    // returned, and this thread would answer that test's client.
                    close(listener)
                    return
                }
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = read(client, &buffer, buffer.count)
                if let reply {
                    _ = reply.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                    shutdown(client, Int32(SHUT_WR))
                }
                // Keep the socket open (silent) or let the peer see EOF after the reply.
                Thread.detachNewThread {
                    var sink = [UInt8](repeating: 0, count: 4096)
                    while read(client, &sink, sink.count) > 0 {}
                    close(client)
                }
            }
        }
    }

    /// Stops accepting: `accept` fails and the accepting thread closes the listener.
    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
    }
}

/// Runs blocking code on a thread of its own (never on the cooperative pool), for the
/// synchronous Redis bridge.
func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}

