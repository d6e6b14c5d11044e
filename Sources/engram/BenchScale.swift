import ArgumentParser
import EngramBenchmarks
import Foundation

/// `engram bench scale`: nearest-neighbour recall at 20K–1M items, approximate and exact, with
/// faiss and hnswlib side by side.
struct BenchScale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Recall latency and recall@10 at 20K, 100K and 1M vectors (inverted-file index), exact-mode latency.",
        discussion: """
            For each size N the vectors (dimension 384) are generated from --seed by a synthetic \
            mixture shaped like sentence embeddings (see ScaleBenchmark.swift), or read from \
            --vectors FILE.npy; queries are drawn the same way and never stored. The probe count is \
            the smallest whose recall@10 on separate tuning queries reaches 0.95; latency is one query \
            at a time on one thread. With --peer, Benchmarks/peers/recall_faiss.py times faiss's flat \
            index and hnswlib on the same vectors and queries (written as .npy files under \
            $TMPDIR/engram-bench-scale, removed afterwards).
            """
    )

    @Flag(help: "Print JSON instead of tables.") var json = false
    @Option(help: "Comma-separated numbers of stored vectors.") var sizes = "20000,100000,1000000"
    @Option(help: "Seed of the generated vectors and of k-means.") var seed: UInt64 = 7
    @Option(help: "Measured queries per size (never stored).") var queries = 1_000
    @Option(help: "Queries that choose the probe count (not measured).") var tuningQueries = 1_000
    @Option(help: "Queries timed in exact mode (the first measured ones), for Engram and faiss's flat index.")
    var exactQueries = 200
    @Option(help: "How the synthetic data's topics grow with N: sqrt (Heaps-like, default) or linear (constant density).")
    var topicGrowth = "sqrt"
    @Option(help: "A .npy file of float32 vectors (n × 384) to use instead of synthetic ones.") var vectors: String?
    @Flag(help: "Also run faiss (flat) and hnswlib on the same vectors and queries.") var peer = false
    @Option(help: "The Python that has faiss-cpu, hnswlib and NumPy (see the peer script's docstring).")
    var peerPython = "python3"

    var sizeList: [Int] { sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        let list = sizeList
        guard !list.isEmpty, list.count == sizes.split(separator: ",").count, list.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--sizes must be positive whole numbers separated by commas, got \(sizes)")
        }
        guard queries >= 1, tuningQueries >= 1 else { throw ValidationError("--queries and --tuning-queries must be at least 1") }
        guard (1...queries).contains(exactQueries) else { throw ValidationError("--exact-queries must be in 1...\(queries)") }
        guard SyntheticEmbeddings.TopicGrowth(rawValue: topicGrowth) != nil else {
            throw ValidationError("--topic-growth must be sqrt or linear, got \(topicGrowth)")
        }
    }

    func run() async throws {
        var settings = ScaleBenchmark.Settings()
        settings.sizes = sizeList
        settings.seed = seed
        settings.queries = queries
        settings.tuningQueries = tuningQueries
        settings.exactQueries = exactQueries
        settings.topicGrowth = SyntheticEmbeddings.TopicGrowth(rawValue: topicGrowth) ?? .sqrt
        settings.vectorsPath = vectors
        // The peer script reads the same directory by default (Python's tempfile.gettempdir()).
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-bench-scale")
        if peer { settings.peerDirectory = directory }
        defer { if peer { try? FileManager.default.removeItem(at: directory) } }

        let result: ScaleBenchmark.Result
        do {
            result = try ScaleBenchmark.run(settings) { message in FileHandle.standardError.write(Data("\(message)\n".utf8)) }
        } catch {
            throw CommandFailure("\(error)")
        }
        var peers: [String: Any]?
        if peer {
            FileHandle.standardError.write(Data("peers: faiss and hnswlib…\n".utf8))
            peers = try PeerScript(path: "Benchmarks/peers/recall_faiss.py", python: peerPython).run()
        }
        json ? printJSON(jsonObject(result, peers: peers)) : printTables(result, peers: peers)
    }

    /// The peer script's figure `key` for `size`, if it reported one.
    private func peerFigure(_ peers: [String: Any]?, _ size: Int, _ key: String) -> Double? {
        ((peers?["sizes"] as? [String: Any])?["\(size)"] as? [String: Any])?[key] as? Double
    }

    private func jsonObject(_ r: ScaleBenchmark.Result, peers: [String: Any]?) -> [String: Any] {
        func bySize(_ value: (ScaleBenchmark.SizeResult) -> Any?) -> [String: Any] {
            var object: [String: Any] = [:]
            for row in r.sizes { object["\(row.size)"] = value(row) }
            return object
        }
        var object: [String: Any] = [
            "data": r.data, "queries": r.queries, "tuning_queries": tuningQueries, "exact_queries": r.exactQueries,
            "k": 10, "dimension": 384, "seed": seed,
            "recall_p50_ms": bySize(\.p50Milliseconds), "recall_p99_ms": bySize(\.p99Milliseconds),
            "recall_at_10": bySize(\.recallAt10), "exact_p50_ms": bySize(\.exactP50Milliseconds),
            "exact_p99_ms": bySize(\.exactP99Milliseconds), "exact_matches_float32_scan": bySize(\.exactAgreement),
            "bytes_per_item": bySize(\.bytesPerItem), "payload_bytes_per_item": bySize(\.payloadBytesPerItem),
            "lists": bySize(\.lists), "code_dimension": bySize(\.codeDimension), "largest_list": bySize(\.largestList), "probes": bySize(\.probes),
            "tuning_recall_at_10": bySize(\.tuningRecall),
            "build_s": bySize { $0.addSeconds + $0.trainSeconds }, "add_s": bySize(\.addSeconds), "train_s": bySize(\.trainSeconds),
            "nearest_cosine_median": bySize(\.nearestCosine), "tenth_cosine_median": bySize(\.tenthCosine),
        ]
        if let peers {
            object["peers"] = peers
            object["faiss_flat_p50_ms"] = bySize { peerFigure(peers, $0.size, "flat_p50_ms") }
            object["hnswlib_p50_ms"] = bySize { peerFigure(peers, $0.size, "hnsw_p50_ms") }
            object["hnswlib_recall_at_10"] = bySize { peerFigure(peers, $0.size, "hnsw_recall_at_10") }
            object["exact_speedup_vs_faiss_flat"] = bySize { row in
                peerFigure(peers, row.size, "flat_p50_ms").map { $0 / row.exactP50Milliseconds }
            }
        }
        return object
    }

    private func printTables(_ r: ScaleBenchmark.Result, peers: [String: Any]?) {
        func ms(_ x: Double?) -> String { x.map { String(format: $0 < 1 ? "%.3f" : "%.2f", $0) } ?? "-" }
        print("Data: \(r.data)")
        print("Recall: \(r.queries) queries per size, one at a time, one thread; recall@10 against a float32 scan of all items\n")
        printTable(
            header: ["items", "lists", "code dims", "probes", "recall@10", "p50 ms", "p99 ms", "exact p50 ms", "exact = float32",
                     "build s", "bytes/item", "NN / 10th cosine"],
            rows: r.sizes.map { row in
                [row.size.formatted(), "\(row.lists)", "\(row.codeDimension)", "\(row.probes)", String(format: "%.3f", row.recallAt10),
                 ms(row.p50Milliseconds), ms(row.p99Milliseconds), ms(row.exactP50Milliseconds),
                 String(format: "%.1f%%", row.exactAgreement * 100),
                 String(format: "%.1f", row.addSeconds + row.trainSeconds),
                 String(format: "%.0f", row.bytesPerItem),
                 String(format: "%.2f / %.2f", row.nearestCosine, row.tenthCosine)]
            })
        guard let peers else { return }
        let versions = ["faiss", "hnswlib", "numpy"].compactMap { name in (peers["\(name)_version"] as? String).map { "\(name) \($0)" } }
        print("\nPeers (\(versions.joined(separator: ", ")), one thread; exact mode timed on the first \(r.exactQueries) queries)")
        printTable(
            header: ["items", "engram exact p50", "faiss flat p50", "faiss ÷ engram", "engram p50", "hnswlib ef",
                     "hnswlib recall@10", "hnswlib p50", "hnswlib build s"],
            rows: r.sizes.map { row in
                let flat = peerFigure(peers, row.size, "flat_p50_ms")
                let ef = peerFigure(peers, row.size, "hnsw_ef").map { String(Int($0)) } ?? "not run"
                return [row.size.formatted(), ms(row.exactP50Milliseconds), ms(flat),
                        flat.map { String(format: "%.1f×", $0 / row.exactP50Milliseconds) } ?? "-",
                        ms(row.p50Milliseconds), ef,
                        peerFigure(peers, row.size, "hnsw_recall_at_10").map { String(format: "%.3f", $0) } ?? "-",
                        ms(peerFigure(peers, row.size, "hnsw_p50_ms")),
                        peerFigure(peers, row.size, "hnsw_build_s").map { String(format: "%.1f", $0) } ?? "-"]
            })
        if let note = peers["note"] as? String { print(note) }
    }
}
