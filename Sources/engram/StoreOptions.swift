import ArgumentParser
import EngramMemory
import EngramPostgres
import Foundation

/// Where the memory store lives and how to open it, shared by the memory commands.
struct StoreOptions: ParsableArguments {
    @Option(help: """
        The store: a file, or postgres://user:password@host:port/database (default: ENGRAM_STORE, \
        else memory.sqlite in the per-user data directory).
        """)
    var store: String?
    @Flag(help: "Print JSON instead of text.") var json = false
    @OptionGroup var model: ModelOptions

    /// The store path or URL: `--store`, `ENGRAM_STORE`, or `<data directory>/engram/memory.sqlite`.
    var path: String { Self.path(store) }

    /// Loads the encoder (provisioning it on first use) and opens the store.
    func open(configuration: MemoryStore.Configuration = MemoryStore.Configuration()) async throws -> MemoryStore {
        try await Self.open(path: path, model: model, configuration: configuration)
    }

    /// `store`, else `ENGRAM_STORE`, else `<data directory>/engram/memory.sqlite` (`~/.local/share`
    /// on Linux unless XDG_DATA_HOME says otherwise, `~/Library/Application Support` on macOS).
    static func path(_ store: String?) -> String {
        if let store { return store }
        if let fromEnvironment = ProcessInfo.processInfo.environment["ENGRAM_STORE"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        let base: URL
        if let xdg = ProcessInfo.processInfo.environment["XDG_DATA_HOME"], !xdg.isEmpty {
            base = URL(fileURLWithPath: xdg)
        } else {
            base = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask).first
                ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share")
        }
        return base.appendingPathComponent("engram/memory.sqlite").path
    }

    static func open(path: String, model: ModelOptions, configuration: MemoryStore.Configuration = MemoryStore.Configuration()) async throws -> MemoryStore {
        let encoder = try await model.loadEncoder()
        let store: MemoryStore
        do {
            let backend: any MemoryBackend = PostgresLocation.isURL(path) ? try PostgresBackend(url: path) : try SQLiteBackend(path: path)
            store = try MemoryStore(backend: backend, embedder: encoder, configuration: configuration)
        } catch {
            throw CommandFailure("\(error)")
        }
        for warning in store.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        return store
    }
}

/// Runs a store operation, turning its errors into a clean `Error: …` line.
func storeCall<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as MemoryError { throw CommandFailure("\(error)") }
}

/// A memory as a JSON object.
func jsonObject(_ memory: Memory) -> [String: Any] {
    var object: [String: Any] = [
        "id": memory.id, "scope": memory.scope, "text": memory.text, "metadata": memory.metadata,
        "time": MemoryTransfer.formatTime(memory.time),
    ]
    object["session"] = memory.session
    object["superseded_by"] = memory.supersededBy
    return object
}

/// `key=value` pairs from `--meta` options.
func metadataPairs(_ pairs: [String]) throws -> [String: String] {
    var metadata: [String: String] = [:]
    for pair in pairs {
        guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
            throw ValidationError("--meta takes key=value, got \(pair.debugDescription)")
        }
        metadata[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
    }
    return metadata
}
