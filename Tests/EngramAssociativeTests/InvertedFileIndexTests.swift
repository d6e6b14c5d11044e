import EngramKernels
import Testing
@testable import EngramAssociative

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The inverted-file index: exact mode against a float32 scan, approximate mode against the top
/// k of the lists it reads and in recall@10 on clustered data, training, key bookkeeping and
/// input validation.
@Suite("InvertedFileIndex")
struct InvertedFileIndexTests {
    // MARK: - Helpers

    /// A random vector uniform on the unit sphere (the Hopfield tests' helper).
    static func unitVector(_ dimension: Int, _ generator: inout SeededGenerator) -> [Float] {
        HopfieldRetrieverTests.unitVector(dimension, &generator)
    }

    /// Vectors that stress the bounds: independent ones, a tight cluster around a centre, exact
    /// copies of the centre (ties), copies within 10⁻⁴ of it (near-ties), its opposite, and spiky
    /// vectors whose small elements the 8-bit codes round away.
    static func hardCases(count: Int, dimension: Int, generator: inout SeededGenerator) -> (vectors: [[Float]], centre: [Float]) {
        let centre = unitVector(dimension, &generator)
        let vectors = (0..<count).map { key -> [Float] in
            let v = unitVector(dimension, &generator)
            switch key % 6 {
            case 1: return zip(centre, v).map { $0 + 0.05 * $1 }
            case 2: return centre
            case 3: return zip(centre, v).map { $0 + 1e-4 * $1 }
            case 4: return centre.map { -$0 }
            case 5:
                var spiky = v.map { $0 * 0.02 }
                spiky[key % dimension] = 1
                return spiky
            default: return v
            }
        }
        return (vectors, centre)
    }

    /// `count` vectors around `clusters` random centres: centre + `spread` × a random unit vector.
    static func clustered(count: Int, clusters: Int, dimension: Int, spread: Float, seed: UInt64) -> [[Float]] {
        var generator = SeededGenerator(seed: seed)
        let centres = (0..<clusters).map { _ in unitVector(dimension, &generator) }
        return (0..<count).map { i in
            zip(centres[i % clusters], unitVector(dimension, &generator)).map { $0 + spread * $1 }
        }
    }

    /// The float32 cosine (``Kernels/dot(_:_:)`` on the stored unit vector) of every stored key
    /// with the query as the index normalises it.
    static func scores(_ index: InvertedFileIndex, _ query: [Float], keys: [Int]) throws -> [(key: Int, score: Float)] {
        let unit = try #require(HopfieldRetriever.unitVector(query))
        return try keys.map { key in (key, Kernels.dot(try #require(index.vector(forKey: key)), unit)) }
    }

    /// The `k` best of `scored` by descending score.
    static func top(_ scored: [(key: Int, score: Float)], _ k: Int) -> [(key: Int, score: Float)] {
        Array(scored.sorted { $0.score > $1.score || ($0.score == $1.score && $0.key < $1.key) }.prefix(k))
    }

    /// Checks that `hits` is a top k of `scored`: the same scores in the same order, each hit's
    /// score its key's true score, and the same keys wherever the k-th score is not tied.
    static func expectTop(_ hits: [SearchHit], of scored: [(key: Int, score: Float)], k: Int, _ comment: Comment) {
        let expected = top(scored, k)
        #expect(hits.map(\.score) == expected.map(\.score), comment)
        let truth = Dictionary(uniqueKeysWithValues: scored.map { ($0.key, $0.score) })
        #expect(hits.allSatisfy { truth[$0.key] == $0.score }, comment)
        #expect(Set(hits.map(\.key)).count == hits.count, comment)
        if let last = expected.last, scored.filter({ $0.score == last.score }).count == 1 {
            #expect(Set(hits.map(\.key)) == Set(expected.map(\.key)), comment)
        }
    }

    static func index(_ vectors: [[Float]], mode: InvertedFileIndex.SearchMode = .exact) throws -> InvertedFileIndex {
        var index = try InvertedFileIndex(dimension: vectors[0].count, mode: mode)
        for (key, v) in vectors.enumerated() { try index.add(v, key: key) }
        return index
    }

    // MARK: - Exact mode

    @Test("exact mode returns the top k of a float32 scan, trained or not",
          arguments: [(40, 600, 0), (64, 500, 1), (384, 400, 2), (7, 300, 3), (100, 50, 4)])
    func exactModeIsFloat32Scan(dimension: Int, count: Int, seed: UInt64) throws {
        var generator = SeededGenerator(seed: 200 + seed)
        let (vectors, centre) = Self.hardCases(count: count, dimension: dimension, generator: &generator)
        var index = try Self.index(vectors)
        for key in stride(from: 0, to: count, by: 7) { index.remove(key) }
        var trained = index
        try trained.train(lists: min(16, trained.count), iterations: 4, seed: seed)
        #expect(trained.listCount == min(16, index.count) && trained.listSizes.reduce(0, +) == index.count)

        let keys = (0..<count).filter { $0 % 7 != 0 }
        for trial in 0..<12 {
            var query = Self.unitVector(dimension, &generator)
            if trial % 3 == 1 { query = zip(centre, query).map { $0 + 0.1 * $1 } }
            if trial % 3 == 2 { query = zip(vectors[keys[trial % keys.count]], query).map { $0 + 0.2 * $1 } }
            let scored = try Self.scores(index, query, keys: keys)
            for k in [1, 10, 37, keys.count + 5] {
                Self.expectTop(try index.search(query, k: k), of: scored, k: k, "untrained d = \(dimension), trial \(trial), k = \(k)")
                Self.expectTop(try trained.search(query, k: k, mode: .exact), of: scored, k: k,
                               "trained d = \(dimension), trial \(trial), k = \(k)")
                // Reading every list is exact whatever the mode is called.
                Self.expectTop(try trained.search(query, k: k, mode: .approximate(probes: trained.listCount)), of: scored, k: k,
                               "all probes d = \(dimension), trial \(trial), k = \(k)")
            }
        }
    }

    /// `count` anisotropic vectors: coordinate j has standard deviation (j + 1)^(−power), around
    /// a shared offset (so, like sentence embeddings, most energy lies in a few directions).
    static func anisotropic(count: Int, dimension: Int, power: Float, seed: UInt64) -> [[Float]] {
        var generator = SeededGenerator(seed: seed)
        let offset = unitVector(dimension, &generator).map { $0 * 0.5 }
        return (0..<count).map { _ in
            (0..<dimension).map { j in offset[j] + Float(HopfieldRetrieverTests.gaussian(&generator)) * pow(Float(j + 1), -power) }
        }
    }

    @Test("exact mode with codes over a projection returns the top k of a float32 scan",
          arguments: [(64, nil as Int?, 0), (64, 4, 1), (40, 17, 2), (384, nil, 3), (384, 32, 4), (33, 1, 5)])
    func exactModeWithProjection(dimension: Int, codeDimension: Int?, seed: UInt64) throws {
        let all = Self.anisotropic(count: 1_240, dimension: dimension, power: 1, seed: 300 + seed)
        var vectors = Array(all.prefix(1_200))
        // Exact duplicates and near-duplicates: ties and crowded top-k boundaries.
        for key in stride(from: 0, to: 1_200, by: 10) { vectors[key] = vectors[key + 1] }
        var index = try Self.index(vectors)
        try index.train(lists: 12, iterations: 4, codeDimension: codeDimension, seed: seed)
        if let codeDimension {
            #expect(index.codeDimension == codeDimension)
        } else {
            #expect(index.codeDimension < dimension && index.codeDimension % 16 == 0, "m = \(index.codeDimension)")
        }
        for key in stride(from: 3, to: 1_200, by: 9) { index.remove(key) }
        try index.add(all[1_200], key: 5_000)
        let keys = (0..<1_200).filter { $0 % 9 != 3 } + [5_000]
        // The projected scan serves searches of many rows; lower the threshold to reach it here,
        // and compare with the full-code scan as well.
        var projected = index
        projected.projectedScanRows = 0
        for (trial, query) in all.suffix(39).enumerated() {
            let scored = try Self.scores(index, query, keys: keys)
            for k in [1, 10, 50] {
                Self.expectTop(try projected.search(query, k: k, mode: .exact), of: scored, k: k,
                               "projected d = \(dimension), m = \(index.codeDimension), trial \(trial), k = \(k)")
                Self.expectTop(try index.search(query, k: k, mode: .exact), of: scored, k: k,
                               "full codes d = \(dimension), trial \(trial), k = \(k)")
            }
        }
    }

    @Test("a flat spectrum gets no projection; a decaying one a small one")
    func projectionFollowsTheSpectrum() throws {
        var generator = SeededGenerator(seed: 50)
        var isotropic = try Self.index((0..<600).map { _ in Self.unitVector(64, &generator) })
        try isotropic.train(lists: 4, seed: 1)
        #expect(isotropic.codeDimension == 64 && isotropic.projection.isIdentity)
        var decaying = try Self.index(Self.anisotropic(count: 600, dimension: 64, power: 1.5, seed: 51))
        try decaying.train(lists: 4, seed: 1)
        #expect(decaying.codeDimension == 16)
        let p = decaying.projection
        #expect(p.orthogonalityError < 1e-5 && p.roundingBound > 0 && p.roundingBound < 1e-4)
    }

    // MARK: - Approximate mode

    @Test("approximate mode returns the exact top k of the lists nearest the query")
    func approximateModeReadsTheNearestLists() throws {
        let vectors = Self.clustered(count: 3_000, clusters: 30, dimension: 48, spread: 0.6, seed: 5)
        var index = try Self.index(vectors)
        try index.train(lists: 24, iterations: 6, codeDimension: 16, seed: 1)
        var projected = index
        projected.projectedScanRows = 0
        let d = index.dimension
        var generator = SeededGenerator(seed: 6)
        for trial in 0..<20 {
            let query = zip(vectors[trial * 31], Self.unitVector(d, &generator)).map { $0 + 0.3 * $1 }
            let unit = try #require(HopfieldRetriever.unitVector(query))
            let centroidScores = (0..<index.listCount).map { list in
                Kernels.dot(Array(index.centroids[list * d ..< (list + 1) * d]), unit)
            }
            for probes in [1, 3, 8] {
                let lists = Kernels.topK(centroidScores, k: probes)
                let keys = lists.flatMap { index.lists[$0].keys }
                let scored = try Self.scores(index, query, keys: keys)
                let hits = try index.search(query, k: 10, mode: .approximate(probes: probes))
                Self.expectTop(hits, of: scored, k: 10, "trial \(trial), probes \(probes)")
                let viaProjection = try projected.search(query, k: 10, mode: .approximate(probes: probes))
                Self.expectTop(viaProjection, of: scored, k: 10, "projected, trial \(trial), probes \(probes)")
            }
        }
    }

    @Test("approximate recall@10 on clustered data is high and grows with the probes")
    func approximateRecallOnClusteredData() throws {
        let dimension = 64
        // The last 200 members of the clusters are the queries, never stored.
        let all = Self.clustered(count: 8_200, clusters: 80, dimension: dimension, spread: 0.7, seed: 9)
        let vectors = Array(all.prefix(8_000)), queries = Array(all.suffix(200))
        var index = try Self.index(vectors)
        try index.train(lists: 64, seed: 2)
        var recalls: [Double] = []
        for probes in [1, 4, 16, 64] {
            var found = 0
            for query in queries {
                let truth = Set(try index.search(query, k: 10, mode: .exact).map(\.key))
                let approximate = try index.search(query, k: 10, mode: .approximate(probes: probes))
                found += approximate.filter { truth.contains($0.key) }.count
            }
            recalls.append(Double(found) / Double(10 * queries.count))
        }
        #expect(zip(recalls, recalls.dropFirst()).allSatisfy { $0 <= $1 }, "recalls \(recalls)")
        #expect(recalls[2] >= 0.95, "recall@10 with 16 of 64 lists: \(recalls[2])")
        #expect(recalls[3] == 1, "every list read: \(recalls[3])")
        #expect(recalls[0] < 1, "one list of 64 should miss some neighbours: \(recalls)")
    }

    @Test("the index's search(_:k:) follows its mode")
    func searchFollowsMode() throws {
        let vectors = Self.clustered(count: 2_000, clusters: 40, dimension: 32, spread: 0.8, seed: 12)
        var index = try Self.index(vectors, mode: .approximate(probes: 2))
        try index.train(lists: 32, seed: 3)
        var differ = false
        for query in vectors.prefix(200) {
            let byMode = try index.search(query, k: 10)
            #expect(byMode == (try index.search(query, k: 10, mode: .approximate(probes: 2))))
            let exact = try index.search(query, k: 10, mode: .exact)
            differ = differ || byMode != exact
        }
        #expect(differ, "two of 32 lists should sometimes miss a neighbour")
        index.mode = .exact
        #expect(try index.search(vectors[3], k: 10) == (try index.search(vectors[3], k: 10, mode: .exact)))
    }

    // MARK: - Training, keys and storage

    @Test("training is reproducible from its seed and files every vector under its nearest centroid")
    func trainingFilesVectors() throws {
        let vectors = Self.clustered(count: 1_500, clusters: 15, dimension: 24, spread: 0.5, seed: 21)
        var a = try Self.index(vectors), b = try Self.index(vectors)
        try a.train(lists: 12, iterations: 5, sampleSize: 600, seed: 4)
        try b.train(lists: 12, iterations: 5, sampleSize: 600, seed: 4)
        #expect(a.centroids == b.centroids && a.listSizes == b.listSizes)
        #expect(a.isTrained && a.listSizes.reduce(0, +) == vectors.count)
        let d = a.dimension
        for list in 0..<a.listCount {
            let centroid = Array(a.centroids[list * d ..< (list + 1) * d])
            #expect(abs(Kernels.norm(centroid) - 1) <= 1e-5)
            for key in a.lists[list].keys {
                let v = try #require(a.vector(forKey: key))
                #expect(a.nearestCentroid(v) == list)
            }
        }
        // Added after training: filed under its nearest centroid too.
        try a.add(vectors[0].map { -$0 }, key: 9_999)
        let slot = try #require(a.slots[9_999])
        #expect(Int(slot.list) == a.nearestCentroid(try #require(a.vector(forKey: 9_999))))
    }

    @Test("remove and add keep every key on its vector, in every list")
    func removeAndAdd() throws {
        let vectors = Self.clustered(count: 400, clusters: 8, dimension: 16, spread: 0.6, seed: 30)
        var index = try Self.index(vectors)
        try index.train(lists: 8, seed: 5)
        for key in stride(from: 0, to: 400, by: 3) {
            let removed = index.remove(key)
            #expect(removed)
        }
        let again = index.remove(0), unknown = index.remove(12_345)
        #expect(!again && !unknown)
        #expect(index.count == 400 - 134 && index.listSizes.reduce(0, +) == index.count)
        for key in 0..<400 {
            #expect(index.contains(key) == (key % 3 != 0))
            guard let stored = index.vector(forKey: key) else { continue }
            let unit = try #require(HopfieldRetriever.unitVector(vectors[key]))
            #expect(Kernels.squaredDistance(stored, unit) <= 1e-10)
            #expect(try index.search(vectors[key], k: 1).first?.key == key)
        }
        // Removed keys never come back; re-added ones do.
        let hits = try index.search(vectors[3], k: 400)
        #expect(hits.count == index.count && !hits.contains { $0.key % 3 == 0 })
        try index.add(vectors[3], key: 3)
        #expect(try index.search(vectors[3], k: 1).first?.key == 3)
        #expect(throws: AssociativeError.duplicateKey(3)) { try index.add(vectors[4], key: 3) }
        for key in 0..<400 where index.contains(key) {
            let removed = index.remove(key)
            #expect(removed)
        }
        #expect(index.isEmpty && index.listSizes.allSatisfy { $0 == 0 })
        #expect(throws: AssociativeError.empty) { try index.search(vectors[0], k: 1) }
        try index.add(vectors[5], key: 5)
        #expect(try index.search(vectors[6], k: 3, mode: .approximate(probes: 1)).map(\.key) == [5])
    }

    @Test("reports its memory per item")
    func memoryPerItem() throws {
        var index = try InvertedFileIndex(dimension: 384)
        // float32 row + 384-byte code, its scale and error + key in the list + key table entry.
        #expect(index.payloadBytesPerItem == 1_536 + 384 + 8 + 8 + 16)
        var generator = SeededGenerator(seed: 40)
        for key in 0..<200 { try index.add(Self.unitVector(384, &generator), key: key) }
        #expect(index.memoryFootprint >= 200 * index.payloadBytesPerItem)
        #expect(try InvertedFileIndex(dimension: 7).payloadBytesPerItem == 28 + 16 + 8 + 8 + 16)
        // A projection onto 100 directions adds a 112-byte code, its scale, error and residual.
        try index.train(lists: 2, codeDimension: 100)
        #expect(index.payloadBytesPerItem == 1_536 + 384 + 8 + 112 + 12 + 8 + 16)
        #expect(index.memoryFootprint >= 200 * index.payloadBytesPerItem)
    }

    @Test("works through the VectorIndex protocol")
    func vectorIndexConformance() throws {
        func exercise<Index: VectorIndex>(_ index: inout Index, _ vectors: [[Float]]) throws -> [SearchHit] {
            for (i, v) in vectors.enumerated() { try index.add(v, key: 100 + i) }
            let removed = index.remove(101)
            #expect(removed && index.count == vectors.count - 1)
            return try index.search(vectors[2], k: 3)
        }
        var generator = SeededGenerator(seed: 17)
        let vectors = (0..<10).map { _ in Self.unitVector(12, &generator) }
        var index = try InvertedFileIndex(dimension: 12)
        let hits = try exercise(&index, vectors)
        #expect(hits.count == 3 && hits.first?.key == 102 && !hits.contains { $0.key == 101 })
        #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(abs((hits.first?.score ?? 0) - 1) <= 1e-6)
    }

    // MARK: - Validation

    @Test("rejects invalid parameters and inputs")
    func errorCases() throws {
        #expect(throws: AssociativeError.self) { try InvertedFileIndex(dimension: 0) }
        #expect(throws: AssociativeError.invalidParameter(name: "probes", requirement: "must be at least 1, got 0")) {
            try InvertedFileIndex(dimension: 4, mode: .approximate(probes: 0))
        }

        var index = try InvertedFileIndex(dimension: 4)
        let x: [Float] = [1, 2, 3, 4]
        #expect(throws: AssociativeError.empty) { try index.search(x, k: 1) }
        #expect(throws: AssociativeError.self) { try index.train(lists: 1) }

        // Each bad vector is refused by add and, once something is stored, by search; nil: a
        // zero vector, refused as an invalid parameter.
        let bad: [([Float], AssociativeError?)] = [
            ([1, 2, 3], .dimensionMismatch(expected: 4, actual: 3)),
            ([1, 2, 3, 4, 5], .dimensionMismatch(expected: 4, actual: 5)),
            ([1, 2, .nan, 4], .nonFinite(index: 2)),
            ([.infinity, 2, 3, 4], .nonFinite(index: 0)),
            ([0, 0, 0, 0], nil),
        ]
        for (vector, error) in bad {
            if let error {
                #expect(throws: error) { try index.add(vector, key: 0) }
            } else {
                #expect(throws: AssociativeError.self) { try index.add(vector, key: 0) }
            }
        }
        #expect(index.isEmpty)
        for key in 0..<5 { try index.add(x.map { $0 + Float(key) }, key: key) }
        for (vector, error) in bad {
            if let error {
                #expect(throws: error) { try index.search(vector, k: 1) }
            } else {
                #expect(throws: AssociativeError.self) { try index.search(vector, k: 1) }
            }
        }
        #expect(throws: AssociativeError.duplicateKey(0)) { try index.add(x, key: 0) }
        for k in [0, -3] {
            #expect(throws: AssociativeError.invalidParameter(name: "k", requirement: "must be at least 1, got \(k)")) {
                try index.search(x, k: k, mode: .approximate(probes: 1))
            }
        }
        #expect(throws: AssociativeError.self) { try index.search(x, k: 1, mode: .approximate(probes: 0)) }

        #expect(throws: AssociativeError.self) { try index.train(lists: 0) }
        #expect(throws: AssociativeError.self) { try index.train(lists: 6) }
        #expect(throws: AssociativeError.self) { try index.train(lists: 2, iterations: 0) }
        #expect(throws: AssociativeError.self) { try index.train(lists: 3, sampleSize: 2) }
        #expect(throws: AssociativeError.self) { try index.train(lists: 3, sampleSize: 6) }
        #expect(throws: AssociativeError.self) { try index.train(lists: 3, codeDimension: 0) }
        #expect(throws: AssociativeError.self) { try index.train(lists: 3, codeDimension: 5) }
        #expect(!index.isTrained)
        try index.train(lists: 5, iterations: 2)
        #expect(index.isTrained && index.listCount == 5)
    }
}
