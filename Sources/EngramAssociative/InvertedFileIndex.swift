import EngramKernels

/// A nearest-neighbour index over unit vectors whose search reads a few inverted lists instead of
/// every row (an IVF index, as in faiss's `IndexIVF`), with an exact mode that reads them all.
///
/// **Layout.** Spherical k-means (``train(lists:iterations:sampleSize:codeDimension:seed:)``)
/// cuts the unit sphere into `L` cells around unit centroids; each stored vector lives in the
/// list of its nearest centroid (highest cosine). A list keeps, for each of its rows, the key,
/// the float32 unit vector, an 8-bit code of the vector (d bytes, rounded up to 16) and, after
/// training, an 8-bit code of its projection onto the `m` leading principal directions of the
/// training sample (`m` the smallest multiple of 16 up to d/2 that holds 90% of the sample's
/// energy; none when no such m exists, as for isotropic data). Each code carries its scale and
/// bounds on its error and, for the projection, on the part of the row it leaves out (see
/// ``CodeProjection`` in `InvertedFileIndex+Codes.swift`). Before training there is one list and
/// no centroid, so every search is a full scan.
///
/// **Search.** The query is scaled to unit length. Codes scanned with
/// ``Kernels/quantizedDots(_:rows:stride:_:into:)`` give each row a lower bound `ℓᵢ` and an
/// upper bound `uᵢ` on its cosine; only rows with `uᵢ` at least the k-th largest `ℓᵢ` can be in
/// the top k, and those are re-scored with ``Kernels/dot(_:_:)`` on their float32 vectors, in
/// descending order of `uᵢ`, until the next `uᵢ` falls below the k-th best cosine found. So the
/// result is exactly the top `k` of the rows read (equal float32 cosines aside).
/// - ``SearchMode/approximate(probes:)`` reads the `p` lists whose centroids have the highest
///   cosine with the query (one `L × d` gemv) and scans their full codes: the only
///   approximation is which lists are read.
/// - ``SearchMode/exact`` reads every list: the result is the top `k` of a float32 scan.
///
/// When a search reads many rows (8,192 or more) and there is a projection, it scans the `m`-byte
/// projected codes instead of the full ones (`m` instead of `4·d` bytes a row; a float32 scan's
/// cost is memory traffic). Their bounds are looser by the left-out part, so the float32 cosines
/// of the k rows of largest lower bound give a floor, and the candidates above it are checked
/// against their full codes before any float32 re-score; the result is the same.
///
/// **Memory per item** (``payloadBytesPerItem``, ``memoryFootprint``): the float32 row (4·d
/// bytes, needed for the exact re-score), the full code with its scale and error bound (d
/// rounded up to 16, plus 8 bytes), after training with a projection the projected code with its
/// scale, error and residual bounds (m + 12 bytes), the key in its list (8 bytes) and the key's
/// entry in the key → slot table (16 bytes of payload plus the hash table's slack): for d = 384,
/// 1,952 bytes untrained and 2,108 bytes with m = 144.
///
/// Adding after training files the vector under its nearest centroid; centroids never move, so
/// a distribution that drifts far from the training sample gives unbalanced lists (train again).
/// Removal moves the list's last row into the freed slot.
public struct InvertedFileIndex: VectorIndex {
    /// Which lists a search reads.
    public enum SearchMode: Sendable, Equatable {
        /// Every list: the result is the top `k` of a float32 scan of every stored row.
        case exact
        /// The `probes` lists whose centroids are nearest the query (all lists when `probes` is at
        /// least the list count).
        case approximate(probes: Int)
    }

    /// Where a key's row is: its list and its position in that list.
    struct Slot: Sendable, Equatable {
        var list: Int32
        var row: Int32
    }

    /// The dimension d of the stored vectors and of the queries.
    public let dimension: Int
    /// How ``search(_:k:)`` reads the lists; ``SearchMode/exact`` by default.
    public var mode: SearchMode
    /// The unit centroids, row-major (`listCount × d`); empty before training.
    var centroids: [Float]
    /// The inverted lists, one per centroid (one list before training).
    var lists: [InvertedList]
    /// Where each key's row is.
    var slots: [Int: Slot]
    /// What the second codes cover: the identity (no second codes) before training or when no
    /// small basis holds most of the energy.
    var projection: CodeProjection
    /// Below this many rows to read, a search scans the full codes even when there is a
    /// projection: the query's projection (an `m × d` gemv) and the looser bounds of the
    /// projected codes then cost more than the bytes they save (on the scale benchmark's data,
    /// about 40 µs more at 600–1,500 rows). Tests lower it to reach the projected path.
    var projectedScanRows = 8_192

    /// Creates an empty, untrained index (one list: every search is a full scan until
    /// ``train(lists:iterations:sampleSize:codeDimension:seed:)`` runs).
    ///
    /// - Parameters:
    ///   - dimension: the length d of every vector and query, ≥ 1.
    ///   - mode: how ``search(_:k:)`` reads the lists.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for `dimension < 1` or a
    ///   probe count below 1.
    public init(dimension: Int, mode: SearchMode = .exact) throws {
        guard dimension >= 1 else {
            throw AssociativeError.invalidParameter(name: "dimension", requirement: "must be at least 1, got \(dimension)")
        }
        try Self.check(mode)
        self.dimension = dimension
        self.mode = mode
        centroids = []
        lists = [InvertedList()]
        slots = [:]
        projection = CodeProjection(identity: dimension)
    }

    /// The number of stored vectors.
    public var count: Int { slots.count }

    /// Whether nothing is stored.
    public var isEmpty: Bool { slots.isEmpty }

    /// The number of inverted lists (1 before training).
    public var listCount: Int { lists.count }

    /// The number of rows in each list, in list order.
    public var listSizes: [Int] { lists.map(\.count) }

    /// Whether ``train(lists:iterations:sampleSize:codeDimension:seed:)`` has run.
    public var isTrained: Bool { !centroids.isEmpty }

    /// The number m of coordinates the exact scan's codes cover (d before training or without a
    /// projection).
    public var codeDimension: Int { projection.codeDimension }

    /// The codes of the whole rows, which approximate search scans.
    var fullProjection: CodeProjection { CodeProjection(identity: dimension) }

    /// Whether a vector is stored under `key`.
    public func contains(_ key: Int) -> Bool { slots[key] != nil }

    /// The stored (unit) vector under `key`, or `nil` if there is none.
    public func vector(forKey key: Int) -> [Float]? {
        guard let slot = slots[key] else { return nil }
        let d = dimension, row = Int(slot.row)
        return Array(lists[Int(slot.list)].rows[row * d ..< (row + 1) * d])
    }

    /// Stores `vector`, scaled to unit length, under `key`, in the list of its nearest centroid.
    ///
    /// - Complexity: O(L·d) for the nearest centroid (O(d) before training), amortised.
    /// - Throws: ``AssociativeError/dimensionMismatch(expected:actual:)``,
    ///   ``AssociativeError/nonFinite(index:)``, ``AssociativeError/duplicateKey(_:)``, or
    ///   ``AssociativeError/invalidParameter(name:requirement:)`` for a zero vector.
    public mutating func add(_ vector: [Float], key: Int) throws {
        try AssociativeError.check(vector, dimension: dimension)
        guard slots[key] == nil else { throw AssociativeError.duplicateKey(key) }
        guard let unit = HopfieldRetriever.unitVector(vector) else {
            throw AssociativeError.invalidParameter(name: "vector", requirement: "must have a non-zero norm")
        }
        let list = isTrained ? nearestCentroid(unit) : 0
        lists[list].append(unit, key: key, projection: projection)
        slots[key] = Slot(list: Int32(list), row: Int32(lists[list].count - 1))
    }

    /// Removes the vector under `key`, moving its list's last row into its place.
    ///
    /// - Returns: whether a vector was stored under `key`.
    /// - Complexity: O(d).
    @discardableResult
    public mutating func remove(_ key: Int) -> Bool {
        guard let slot = slots.removeValue(forKey: key) else { return false }
        let list = Int(slot.list)
        if let moved = lists[list].swapRemove(at: Int(slot.row), dimension: dimension, projection: projection) {
            slots[moved] = slot
        }
        return true
    }

    /// Reserves room for `capacity` vectors in the key table (the lists grow as rows arrive).
    public mutating func reserveCapacity(_ capacity: Int) {
        slots.reserveCapacity(capacity)
        if !isTrained { lists[0].reserveCapacity(capacity, dimension: dimension, projection: projection) }
    }

    /// The index of the centroid with the highest cosine with the unit vector `unit`.
    /// - Precondition: the index is trained.
    func nearestCentroid(_ unit: [Float]) -> Int {
        let scores = Kernels.gemv(centroids, rows: listCount, columns: dimension, unit)
        return Kernels.argmax(scores) ?? 0
    }

    static func check(_ mode: SearchMode) throws {
        if case let .approximate(probes) = mode, probes < 1 {
            throw AssociativeError.invalidParameter(name: "probes", requirement: "must be at least 1, got \(probes)")
        }
    }
}

// MARK: - Memory

extension InvertedFileIndex {
    /// The bytes the index holds: the lists' arrays at their allocated capacity, the centroids,
    /// and the key table at 16 bytes of payload per slot of its capacity (its bitmap and the
    /// arrays' headers are not counted).
    public var memoryFootprint: Int {
        let listBytes = lists.reduce(0) { $0 + $1.allocatedBytes }
        return listBytes + (centroids.capacity + projection.basis.capacity) * MemoryLayout<Float>.stride
            + slots.capacity * (MemoryLayout<Int>.stride + MemoryLayout<Slot>.stride)
    }

    /// The payload bytes of one stored item: the float32 row, the code of the row and its scale
    /// and error bound, the projected code and its scale, error and residual bounds (after
    /// training with a projection), the key in its list and the key table's key and slot.
    public var payloadBytesPerItem: Int {
        let projected = projection.isIdentity ? 0 : projection.codeStride + 3 * MemoryLayout<Float>.stride
        return dimension * MemoryLayout<Float>.stride + fullProjection.codeStride + 2 * MemoryLayout<Float>.stride
            + projected + MemoryLayout<Int>.stride + MemoryLayout<Int>.stride + MemoryLayout<Slot>.stride
    }
}

// MARK: - One inverted list

/// The 8-bit codes of a list's rows under one projection, with their bounds (see
/// ``CodeProjection``).
struct CodeSet: Sendable {
    /// The codes, `stride` bytes a row.
    var codes: [UInt8] = []
    /// Each row's code scale `sᵢ`.
    var scales: [Float] = []
    /// A bound εᵢ on each row's code error, projection rounding included.
    var errors: [Float] = []
    /// A bound ρᵢ on the norm of each row's part outside the projection; empty for the identity
    /// (ρ = 0).
    var residuals: [Float] = []

    var allocatedBytes: Int {
        codes.capacity + (scales.capacity + errors.capacity + residuals.capacity) * MemoryLayout<Float>.stride
    }

    mutating func reserveCapacity(_ capacity: Int, projection: CodeProjection) {
        codes.reserveCapacity(capacity * projection.codeStride)
        scales.reserveCapacity(capacity)
        errors.reserveCapacity(capacity)
        if !projection.isIdentity { residuals.reserveCapacity(capacity) }
    }

    /// Appends the code of `projected`, a row's float32 projection.
    mutating func append(_ projected: [Float], projection: CodeProjection) {
        let code = RowCode(projected, stride: projection.codeStride)
        codes.append(contentsOf: code.bytes)
        scales.append(code.scale)
        errors.append(projection.isIdentity ? code.error : Float((Double(code.error) + projection.roundingBound) * 1.001).nextUp)
        if !projection.isIdentity { residuals.append(projection.residualBound(projected)) }
    }

    /// Appends row `row` of `other` as it is.
    mutating func append(row: Int, of other: CodeSet, stride: Int) {
        codes.append(contentsOf: other.codes[row * stride ..< (row + 1) * stride])
        scales.append(other.scales[row])
        errors.append(other.errors[row])
        if !other.residuals.isEmpty { residuals.append(other.residuals[row]) }
    }

    /// Moves the last row into row `row` and drops the last.
    mutating func swapRemove(at row: Int, stride: Int) {
        let last = scales.count - 1
        if row != last {
            codes.withUnsafeMutableBufferPointer { base in
                guard let p = base.baseAddress else { return }
                (p + row * stride).update(from: p + last * stride, count: stride)
            }
            scales[row] = scales[last]
            errors[row] = errors[last]
            if !residuals.isEmpty { residuals[row] = residuals[last] }
        }
        codes.removeLast(stride)
        scales.removeLast()
        errors.removeLast()
        if !residuals.isEmpty { residuals.removeLast() }
    }
}

/// The rows of one inverted list: keys, float32 unit vectors, the codes of the vectors
/// (``InvertedFileIndex/fullProjection``) and, after training with a projection, the codes of
/// their projections.
struct InvertedList: Sendable {
    var keys: [Int] = []
    /// The unit vectors, row-major.
    var rows: [Float] = []
    /// The codes of the whole rows.
    var full = CodeSet()
    /// The codes of the rows' projections; empty without a projection.
    var projected = CodeSet()

    var count: Int { keys.count }

    var allocatedBytes: Int {
        keys.capacity * MemoryLayout<Int>.stride + rows.capacity * MemoryLayout<Float>.stride
            + full.allocatedBytes + projected.allocatedBytes
    }

    mutating func reserveCapacity(_ capacity: Int, dimension: Int, projection: CodeProjection) {
        keys.reserveCapacity(capacity)
        rows.reserveCapacity(capacity * dimension)
        full.reserveCapacity(capacity, projection: CodeProjection(identity: dimension))
        if !projection.isIdentity { projected.reserveCapacity(capacity, projection: projection) }
    }

    /// Appends the unit row `unit` under `key` with its codes (`projection` may be the identity).
    mutating func append(_ unit: [Float], key: Int, projection: CodeProjection) {
        keys.append(key)
        rows.append(contentsOf: unit)
        full.append(unit, projection: CodeProjection(identity: unit.count))
        if !projection.isIdentity {
            projected.append(unit.withUnsafeBufferPointer { projection.project($0) }, projection: projection)
        }
    }

    /// Removes row `row` by moving the last row into it; returns the key that moved, if any.
    mutating func swapRemove(at row: Int, dimension d: Int, projection: CodeProjection) -> Int? {
        let last = count - 1
        var moved: Int?
        if row != last {
            rows.withUnsafeMutableBufferPointer { base in
                guard let p = base.baseAddress else { return }
                (p + row * d).update(from: p + last * d, count: d)
            }
            keys[row] = keys[last]
            moved = keys[row]
        }
        keys.removeLast()
        rows.removeLast(d)
        full.swapRemove(at: row, stride: (d + 15) & ~15)
        if !projection.isIdentity { projected.swapRemove(at: row, stride: projection.codeStride) }
        assert(rows.count == keys.count * d && full.scales.count == keys.count)
        return moved
    }
}
