import EngramPostgres
import Foundation
@testable import EngramMemory

/// A throw-away PostgreSQL cluster for the tests, started once per test process from the
/// installed server binaries (`initdb`, `pg_ctl`) on a free loopback port, and stopped when the
/// process exits; `ENGRAM_TEST_POSTGRES_URL` names an existing server instead. Each store gets a
/// database of its own. Without binaries or a URL the PostgreSQL tests fail, saying why.
enum TestPostgres {
    /// The password of the cluster's user: planted so that tests can check it never shows.
    static let password = "pw-\(UUID().uuidString.prefix(8))-secret"

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    private static let server: Result<(url: URLComponents, bin: String?), Unavailable> = start()

    /// The URL of a new, empty database on the test server.
    static func freshDatabaseURL() throws -> String {
        let (base, bin) = try server.get()
        let name = "engram_test_\(UUID().uuidString.prefix(8).lowercased())"
        let createdb = bin.map { "\($0)/createdb" } ?? "createdb"
        let (status, output) = run(createdb, ["-h", base.host!, "-p", "\(base.port!)", "-U", base.user!, name],
                                   environment: ["PGPASSWORD": base.password ?? ""])
        guard status == 0 else { throw Unavailable(description: "createdb \(name) failed: \(output)") }
        var url = base
        url.path = "/" + name
        return url.string!
    }

    /// A store over a new database of the test server.
    static func makeBackend() throws -> PostgresBackend {
        try PostgresBackend(url: try freshDatabaseURL())
    }

    private static func start() -> Result<(url: URLComponents, bin: String?), Unavailable> {
        if let given = ProcessInfo.processInfo.environment["ENGRAM_TEST_POSTGRES_URL"], !given.isEmpty {
            guard let url = URLComponents(string: given), url.host != nil, url.user != nil else {
                return .failure(Unavailable(description: "ENGRAM_TEST_POSTGRES_URL is not a postgres:// URL with a user and host"))
            }
            return .success((url, nil))
        }
        guard let bin = serverBinaries() else {
            return .failure(Unavailable(description: """
                no PostgreSQL server binaries (initdb, pg_ctl) were found in PATH, pg_config --bindir or \
                /usr/lib/postgresql/*/bin: install them (Debian: apt-get install postgresql) or set \
                ENGRAM_TEST_POSTGRES_URL=postgres://user:password@host:port/database
                """))
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-pg-\(UUID().uuidString.prefix(8))").path
        let data = directory + "/data", passwordFile = directory + "/password"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        } catch {
            return .failure(Unavailable(description: "cannot make \(directory): \(error)"))
        }
        // initdb refuses to run as root: run the server as the postgres user then.
        let asUser: [String] = getuid() == 0 ? ["runuser", "-u", "postgres", "--"] : []
        if getuid() == 0 { _ = run("/bin/chown", ["-R", "postgres", directory]) }
        func server(_ tool: String, _ arguments: [String]) -> (Int32, String) {
            asUser.isEmpty ? run("\(bin)/\(tool)", arguments) : run("/usr/sbin/runuser", Array(asUser.dropFirst()) + ["\(bin)/\(tool)"] + arguments)
        }
        var (status, output) = server("initdb", ["-D", data, "-U", "engram", "--pwfile", passwordFile, "--auth", "scram-sha-256",
                                                 "-E", "UTF8", "--no-sync", "--no-instructions"])
        guard status == 0 else { return .failure(Unavailable(description: "initdb failed: \(output)")) }
        let port = freePort()
        (status, output) = server("pg_ctl", ["-D", data, "-l", directory + "/server.log", "-w", "-t", "60", "-o",
                                             "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300",
                                             "start"])
        guard status == 0 else {
            let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            return .failure(Unavailable(description: "pg_ctl start failed: \(output) \(log)"))
        }
        // Stopped when this process ends, however it ends (atexit handlers do not run when the
        // test runner leaves by _exit or a crash): a watchdog polls for this process.
        let stop = (asUser.isEmpty ? "" : "/usr/sbin/runuser -u postgres -- ") + "'\(bin)/pg_ctl' -D '\(data)' -m immediate stop"
        spawnDetached("/bin/sh", ["-c", "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(stop) >/dev/null 2>&1; rm -rf '\(directory)'"])
        var url = URLComponents()
        url.scheme = "postgres"
        url.user = "engram"
        url.password = password
        url.host = "127.0.0.1"
        url.port = port
        url.path = "/postgres"
        url.queryItems = [URLQueryItem(name: "sslmode", value: "disable")]
        return .success((url, bin))
    }

    private static func serverBinaries() -> String? {
        var candidates: [String] = []
        let bindir = run("/usr/bin/env", ["pg_config", "--bindir"])
        if bindir.0 == 0 {
            candidates.append(bindir.1.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return candidates.first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") && FileManager.default.isExecutableFile(atPath: "\($0)/pg_ctl") }
    }

    private static func freePort() -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts a program and leaves it running.
    private static func spawnDetached(_ executable: String, _ arguments: [String]) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in 0...2 { posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_RDWR, 0) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        _ = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    }

    /// Runs a program to its end and returns its status and output. (posix_spawn and waitpid:
    /// Foundation's `Process.waitUntilExit` was seen to miss the exit of `pg_ctl start`, whose
    /// server lives on.)
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) -> (Int32, String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("engram-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] { strings.map { strdup($0) } + [nil] }
        let argv = cStrings([executable] + arguments), envp = cStrings(variables)
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { return (-1, "cannot run \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS by hand (macros do not come through to Swift).
        return ((status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1, text)
    }
}

/// The back ends the behavioural suite runs against.
enum TestBackend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, postgres

    var description: String { rawValue }

    /// A store over a new, empty back end of this kind.
    func makeStore(_ embedder: any TextEmbedder, configuration: MemoryStore.Configuration = MemoryStore.Configuration()) throws -> MemoryStore {
        try MemoryStore(backend: try makeBackend(), embedder: embedder, configuration: configuration)
    }

    func makeBackend() throws -> any MemoryBackend {
        switch self {
        case .sqlite: return try SQLiteBackend()
        case .postgres: return try TestPostgres.makeBackend()
        }
    }

    /// Runs `body` with a function that opens a new back end over one and the same store each
    /// time it is called (a file, or a database), as another process or server would.
    func withReopenableStore<R>(_ body: (() throws -> any MemoryBackend) throws -> R) throws -> R {
        switch self {
        case .sqlite:
            return try withTemporaryDirectory { directory in
                let path = directory.appendingPathComponent("memory.sqlite").path
                return try body { try SQLiteBackend(path: path) }
            }
        case .postgres:
            let url = try TestPostgres.freshDatabaseURL()
            return try body { try PostgresBackend(url: url) }
        }
    }
}
