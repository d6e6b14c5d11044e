import CEngramKernels

/// The right-hand matrix of a product, packed once into the 16-column panels the matrix-multiply
/// micro-kernel streams. A linear layer packs its weight at load time; attention packs K and V for
/// each sequence.
public struct PackedMatrix: Sendable {
    /// Columns of B (outputs of a linear layer).
    public let columns: Int
    /// Rows of B (the shared dimension k).
    public let depth: Int
    @usableFromInline var storage: [Float]

    /// Packs `b`.
    /// - Parameters:
    ///   - b: the matrix, row-major.
    ///   - transposed: `true` when `b` is stored `columns × depth` (a PyTorch `Linear` weight, or K
    ///     in Q·Kᵀ); `false` when it is stored `depth × columns`.
    /// - Precondition: `b.count == columns · depth`.
    public init(_ b: UnsafeBufferPointer<Float>, columns: Int, depth: Int, transposed: Bool) {
        precondition(columns >= 0 && depth >= 0 && b.count == columns * depth,
                     "PackedMatrix: \(b.count) values for \(columns) × \(depth)")
        self.columns = columns
        self.depth = depth
        storage = [Float](repeating: 0, count: engram_sgemm_packed_count(columns, depth))
        guard let base = b.baseAddress else { return }
        storage.withUnsafeMutableBufferPointer { packed in
            engram_sgemm_pack_b(base, transposed ? depth : columns, transposed ? 1 : 0, columns, depth, packed.baseAddress)
        }
    }

    /// Packs an array; see ``init(_:columns:depth:transposed:)``.
    public init(_ b: [Float], columns: Int, depth: Int, transposed: Bool) {
        self = b.withUnsafeBufferPointer { PackedMatrix($0, columns: columns, depth: depth, transposed: transposed) }
    }

    /// Calls `body` with the packed panels.
    @inlinable
    public func withUnsafePanels<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { try body($0.baseAddress ?? UnsafePointer(bitPattern: 16)!) }
    }
}

extension Kernels {
    /// `C ← A·B (+ bias on every row)` for row-major `A` (`rows × b.depth`) and `C` (`rows × b.columns`).
    ///
    /// AVX2 + FMA register blocks of 6 × 16 where the CPU has them, a portable loop elsewhere.
    /// - Parameters:
    ///   - columnRange: the columns of C to compute (the rest are untouched), so that threads can
    ///     split one product; its lower bound must be a multiple of 16.
    /// - Note: Tolerance: each element within `depth · ulp(1) · Σ|aᵢₚ·bₚⱼ|` of the exact product.
    /// - Precondition: consistent sizes.
    public static func gemm(
        _ a: UnsafeBufferPointer<Float>, rows: Int, _ b: PackedMatrix, bias: UnsafeBufferPointer<Float>? = nil,
        into c: UnsafeMutableBufferPointer<Float>, columnRange: Range<Int>? = nil
    ) {
        let range = columnRange ?? 0..<b.columns
        precondition(a.count == rows * b.depth, "gemm: A has \(a.count) values, not \(rows) × \(b.depth)")
        precondition(c.count == rows * b.columns, "gemm: C has \(c.count) values, not \(rows) × \(b.columns)")
        precondition(bias == nil || bias?.count == b.columns, "gemm: bias has the wrong length")
        precondition(range.lowerBound % 16 == 0 && range.lowerBound >= 0 && range.upperBound <= b.columns,
                     "gemm: bad column range \(range)")
        guard rows > 0, !range.isEmpty, let pc = c.baseAddress else { return }
        b.withUnsafePanels { panels in
            engram_sgemm_packed_columns(
                rows, b.columns, b.depth, a.baseAddress, b.depth, panels, bias?.baseAddress, pc, b.columns,
                range.lowerBound, range.upperBound)
        }
    }
}
