import EngramKernels

extension InvertedFileIndex {
    /// Clusters the stored vectors into `lists` cells by spherical k-means, chooses the directions
    /// the codes cover, and files and codes every stored vector again (replacing any earlier
    /// training).
    ///
    /// Spherical k-means (Dhillon & Modha, 2001) on a random sample of the stored unit vectors:
    /// the initial centroids are `lists` distinct sample vectors; each iteration assigns every
    /// sample vector to the centroid of highest cosine and replaces each centroid by the
    /// normalised sum of its members. A centroid left without members is replaced by a random
    /// sample vector. The cosines of an iteration are one matrix product
    /// (``Kernels/gemm(_:rows:_:bias:into:columnRange:)``), as are those that file the rows.
    ///
    /// The codes' directions are the leading eigenvectors of the sample's second-moment matrix
    /// `XᵀX / S` (orthogonal iteration from a seeded random start, 12 steps; they need not be
    /// exact eigenvectors, only orthonormal, for the bounds to hold). With `codeDimension` nil,
    /// m is the smallest multiple of 16 up to d/2 whose directions hold 90% of the energy
    /// `tr(XᵀX)`, or no projection when none does (isotropic data).
    /// - Parameters:
    ///   - lists: the number of cells L, `1 ≤ L ≤ count`. About 2·√N is a usual choice: the
    ///     centroid scan (`L·d` floats) and a probe's list (`N/L` rows) then cost about the same.
    ///   - iterations: k-means iterations, ≥ 1.
    ///   - sampleSize: the vectors k-means runs on, at least `lists`; `nil` for
    ///     `min(count, 64·lists)`. Every stored vector is filed, whatever the sample.
    ///   - codeDimension: the number of directions the codes cover, `1...d` (d: no projection),
    ///     or `nil` to choose it as above.
    ///   - seed: the seed of the sample, the initial centroids, any re-seeding and the directions.
    /// - Complexity: O(S·L·d·iterations + S·d² + N·(L + m)·d) for a sample of S vectors.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for a parameter out of
    ///   range (including more lists than stored vectors).
    public mutating func train(
        lists: Int, iterations: Int = 10, sampleSize: Int? = nil, codeDimension: Int? = nil, seed: UInt64 = 0
    ) throws {
        guard lists >= 1, lists <= count else {
            throw AssociativeError.invalidParameter(name: "lists", requirement: "must be in 1...\(count) (the stored vectors), got \(lists)")
        }
        guard iterations >= 1 else {
            throw AssociativeError.invalidParameter(name: "iterations", requirement: "must be at least 1, got \(iterations)")
        }
        let size = sampleSize ?? min(count, 64 * lists)
        guard size >= lists, size <= count else {
            throw AssociativeError.invalidParameter(
                name: "sampleSize", requirement: "must be in \(lists)...\(count) (lists to stored vectors), got \(size)")
        }
        if let codeDimension, !(1...dimension).contains(codeDimension) {
            throw AssociativeError.invalidParameter(
                name: "codeDimension", requirement: "must be in 1...\(dimension) (or nil to choose), got \(codeDimension)")
        }
        var generator = SeededGenerator(seed: seed)
        let sample = sampleRows(size, generator: &generator)
        centroids = Self.sphericalKMeans(sample, rows: size, dimension: dimension, clusters: lists,
                                         iterations: iterations, generator: &generator)
        projection = Self.principalProjection(sample, rows: size, dimension: dimension, codeDimension: codeDimension,
                                              generator: &generator)
        refile()
    }

    /// `size` distinct stored rows chosen uniformly (a partial Fisher–Yates shuffle), row-major.
    func sampleRows(_ size: Int, generator: inout SeededGenerator) -> [Float] {
        var places: [(list: Int, row: Int)] = []
        places.reserveCapacity(count)
        for (list, rows) in lists.enumerated() {
            for row in 0..<rows.count { places.append((list, row)) }
        }
        let d = dimension
        var sample: [Float] = []
        sample.reserveCapacity(size * d)
        for i in 0..<size {
            places.swapAt(i, i + SeededSampling.index(below: places.count - i, using: &generator))
            let (list, row) = places[i]
            sample.append(contentsOf: lists[list].rows[row * d ..< (row + 1) * d])
        }
        return sample
    }

    /// Files every stored row under its nearest centroid (keeping its vector and the code of it)
    /// and codes its projection with ``projection``.
    mutating func refile() {
        let d = dimension, m = projection.codeDimension, n = centroids.count / d, stride = fullProjection.codeStride
        let packedCentroids = PackedMatrix(centroids, columns: n, depth: d, transposed: true)
        let packedBasis = projection.isIdentity ? nil : PackedMatrix(projection.basis, columns: m, depth: d, transposed: true)
        let old = lists
        let assignments = old.map { list in
            list.rows.withUnsafeBufferPointer { Self.nearestColumns($0, rows: list.count, packedCentroids) }
        }
        var sizes = [Int](repeating: 0, count: n)
        for list in assignments { for cell in list { sizes[Int(cell)] += 1 } }
        lists = sizes.map { size in
            var list = InvertedList()
            list.reserveCapacity(size, dimension: d, projection: projection)
            return list
        }
        let block = 256
        var projected = [Float](repeating: 0, count: packedBasis == nil ? 0 : block * m)
        for (source, cells) in zip(old, assignments) {
            var start = 0
            while start < source.count {
                let rows = min(block, source.count - start)
                if let packedBasis {
                    source.rows.withUnsafeBufferPointer { all in
                        projected.withUnsafeMutableBufferPointer { out in
                            Kernels.gemm(UnsafeBufferPointer(rebasing: all[start * d ..< (start + rows) * d]), rows: rows,
                                         packedBasis, into: UnsafeMutableBufferPointer(rebasing: out[0 ..< rows * m]))
                        }
                    }
                }
                for row in start ..< start + rows {
                    let target = Int(cells[row]), local = row - start, key = source.keys[row]
                    lists[target].keys.append(key)
                    lists[target].rows.append(contentsOf: source.rows[row * d ..< (row + 1) * d])
                    lists[target].full.append(row: row, of: source.full, stride: stride)
                    if packedBasis != nil {
                        lists[target].projected.append(Array(projected[local * m ..< (local + 1) * m]), projection: projection)
                    }
                    slots[key] = Slot(list: Int32(target), row: Int32(lists[target].count - 1))
                }
                start += rows
            }
        }
    }

    /// For each of the `rows` rows of `matrix` (row-major, `rows × depth`), the column of
    /// `matrix · packed` with the largest value (the nearest centroid), in blocks of rows.
    static func nearestColumns(_ matrix: UnsafeBufferPointer<Float>, rows: Int, _ packed: PackedMatrix) -> [Int32] {
        let d = packed.depth, n = packed.columns, block = 256
        guard rows > 0 else { return [] }
        var result = [Int32](repeating: 0, count: rows)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: block * n) { scores in
            var start = 0
            while start < rows {
                let m = min(block, rows - start)
                let products = UnsafeMutableBufferPointer(rebasing: scores[0 ..< m * n])
                Kernels.gemm(UnsafeBufferPointer(rebasing: matrix[start * d ..< (start + m) * d]), rows: m, packed, into: products)
                for r in 0..<m {
                    let row = UnsafeBufferPointer(rebasing: products[r * n ..< (r + 1) * n])
                    result[start + r] = Int32(Kernels.argmax(row) ?? 0)
                }
                start += m
            }
        }
        return result
    }

    /// Spherical k-means on `rows` unit vectors: `clusters` unit centroids, row-major.
    static func sphericalKMeans(
        _ sample: [Float], rows: Int, dimension d: Int, clusters: Int, iterations: Int,
        generator: inout SeededGenerator
    ) -> [Float] {
        precondition(rows >= clusters && sample.count == rows * d)
        // Initial centroids: the first `clusters` rows (the sample is already in random order).
        var centroids = Array(sample[0 ..< clusters * d])
        for _ in 0..<iterations {
            let packed = PackedMatrix(centroids, columns: clusters, depth: d, transposed: true)
            let cells = sample.withUnsafeBufferPointer { nearestColumns($0, rows: rows, packed) }
            var sums = [Float](repeating: 0, count: clusters * d)
            var members = [Int](repeating: 0, count: clusters)
            sample.withUnsafeBufferPointer { sample in
                sums.withUnsafeMutableBufferPointer { sums in
                    for (row, cell) in cells.enumerated() {
                        let c = Int(cell)
                        members[c] += 1
                        Kernels.axpy(1, UnsafeBufferPointer(rebasing: sample[row * d ..< (row + 1) * d]),
                                     UnsafeMutableBufferPointer(rebasing: sums[c * d ..< (c + 1) * d]))
                    }
                }
            }
            for c in 0..<clusters {
                var sum = Array(sums[c * d ..< (c + 1) * d])
                let length = Kernels.norm(sum)
                if members[c] == 0 || !(length > 0) {
                    let row = SeededSampling.index(below: rows, using: &generator)
                    sum = Array(sample[row * d ..< (row + 1) * d])
                } else {
                    for j in sum.indices { sum[j] /= length }
                }
                centroids.replaceSubrange(c * d ..< (c + 1) * d, with: sum)
            }
        }
        return centroids
    }
}

// MARK: - The coded directions

extension InvertedFileIndex {
    /// The share of the energy the coded directions must hold for a projection to be used.
    static let projectedEnergy = 0.9

    /// The projection the codes use after training on `sample` (see ``train(lists:iterations:sampleSize:codeDimension:seed:)``).
    static func principalProjection(
        _ sample: [Float], rows: Int, dimension d: Int, codeDimension: Int?, generator: inout SeededGenerator
    ) -> CodeProjection {
        let rank = codeDimension ?? (d / 2) & ~15
        guard rank >= 1, rank < d else { return CodeProjection(identity: d) }
        let moment = secondMoment(sample, rows: rows, dimension: d)
        let packedMoment = PackedMatrix(moment, columns: d, depth: d, transposed: false)
        var start = [Float](repeating: 0, count: rank * d)
        SeededSampling.fillNormal(&start, using: &generator)
        var directions = start.map { Double($0) }
        orthonormalise(&directions, count: rank, dimension: d)
        // Orthogonal iteration: D ← orth(D·M) (M is symmetric), the product in float32.
        var product = [Float](repeating: 0, count: rank * d)
        func multiply() {
            let rows = directions.map { Float($0) }
            rows.withUnsafeBufferPointer { a in product.withUnsafeMutableBufferPointer { Kernels.gemm(a, rows: rank, packedMoment, into: $0) } }
        }
        for _ in 0..<12 {
            multiply()
            directions = product.map { Double($0) }
            orthonormalise(&directions, count: rank, dimension: d)
        }
        // Rayleigh quotients qᵀMq: the energy each direction holds.
        multiply()
        let energies = (0..<rank).map { i in
            (0..<d).reduce(0.0) { $0 + directions[i * d + $1] * Double(product[i * d + $1]) }
        }
        let order = energies.indices.sorted { energies[$0] > energies[$1] }
        let trace = (0..<d).reduce(0.0) { $0 + Double(moment[$1 * d + $1]) }
        var m = codeDimension ?? 0
        if codeDimension == nil {
            var held = 0.0
            for (count, i) in order.enumerated() {
                held += energies[i]
                if (count + 1) % 16 == 0 && held >= projectedEnergy * trace {
                    m = count + 1
                    break
                }
            }
            guard m > 0 else { return CodeProjection(identity: d) }
        }
        var basis = order.prefix(m).flatMap { directions[$0 * d ..< ($0 + 1) * d] }
        orthonormalise(&basis, count: m, dimension: d)
        return CodeProjection(basis: basis.map { Float($0) }, dimension: d)
    }

    /// `XᵀX / S` for the `rows × d` sample X (a float32 product).
    static func secondMoment(_ sample: [Float], rows: Int, dimension d: Int) -> [Float] {
        var transposed = [Float](repeating: 0, count: rows * d)
        for r in 0..<rows { for c in 0..<d { transposed[c * rows + r] = sample[r * d + c] } }
        let packed = PackedMatrix(sample, columns: d, depth: rows, transposed: false)
        var moment = [Float](repeating: 0, count: d * d)
        transposed.withUnsafeBufferPointer { a in
            moment.withUnsafeMutableBufferPointer { Kernels.gemm(a, rows: d, packed, into: $0) }
        }
        return moment.map { $0 / Float(rows) }
    }

    /// Modified Gram–Schmidt on the `count ≤ d` rows of `vectors` (row-major, `count × d`); a row
    /// that vanishes (it lay in the span of the earlier ones) is replaced by the first coordinate
    /// axis that does not.
    static func orthonormalise(_ vectors: inout [Double], count: Int, dimension d: Int) {
        precondition(count <= d)
        for i in 0..<count {
            var axis = 0
            while true {
                // Two passes: "twice is enough" for Gram–Schmidt (Kahan; Giraud et al., 2005).
                for _ in 0..<2 {
                    for p in 0..<i {
                        var projection = 0.0
                        for c in 0..<d { projection += vectors[i * d + c] * vectors[p * d + c] }
                        for c in 0..<d { vectors[i * d + c] -= projection * vectors[p * d + c] }
                    }
                }
                var length = 0.0
                for c in 0..<d { length += vectors[i * d + c] * vectors[i * d + c] }
                length = length.squareRoot()
                if length > 1e-6 || axis == d {
                    for c in 0..<d { vectors[i * d + c] /= length }
                    break
                }
                for c in 0..<d { vectors[i * d + c] = c == axis ? 1 : 0 }
                axis += 1
            }
        }
    }
}
