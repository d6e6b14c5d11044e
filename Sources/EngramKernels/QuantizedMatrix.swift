import CEngramKernels

/// The right-hand matrix of a product in signed 8 bits: each output column scaled by its largest
/// magnitude over 127 and rounded to even, then packed into the 16-column, 4-byte-group panels of
/// the 8-bit product. A quarter of the float32 weights' bytes, which is what a short query pays
/// for: it streams every weight once.
public struct QuantizedMatrix: Sendable {
    /// Columns of B (outputs of a linear layer).
    public let columns: Int
    /// Rows of B (the shared dimension k).
    public let depth: Int
    @usableFromInline let panels: [Int8]
    /// Per output column: the float that one step of its 8-bit values stands for.
    @usableFromInline let scales: [Float]
    /// Per output column: the sum of its 8-bit values, which undoes the activations' zero point.
    @usableFromInline let columnSums: [Int32]

    /// Quantises and packs `b`.
    /// - Parameters:
    ///   - b: the matrix, row-major.
    ///   - transposed: `true` when `b` is stored `columns × depth` (a PyTorch `Linear` weight);
    ///     `false` when it is stored `depth × columns`.
    /// - Precondition: `b.count == columns · depth` and every value finite.
    public init(_ b: UnsafeBufferPointer<Float>, columns: Int, depth: Int, transposed: Bool) {
        precondition(columns >= 0 && depth >= 0 && b.count == columns * depth,
                     "QuantizedMatrix: \(b.count) values for \(columns) × \(depth)")
        self.columns = columns
        self.depth = depth
        func value(_ column: Int, _ p: Int) -> Float { transposed ? b[column * depth + p] : b[p * columns + column] }
        var quantized = [Int8](repeating: 0, count: columns * depth)
        var scales = [Float](repeating: 1, count: columns)
        var sums = [Int32](repeating: 0, count: columns)
        for column in 0..<columns {
            var largest: Float = 0
            for p in 0..<depth {
                precondition(value(column, p).isFinite, "QuantizedMatrix: a non-finite weight in column \(column)")
                largest = max(largest, abs(value(column, p)))
            }
            let scale: Float = largest > 0 ? largest / 127 : 1
            var sum: Int32 = 0
            for p in 0..<depth {
                let q = Int8(max(-127, min(127, (value(column, p) / scale).rounded(.toNearestOrEven))))
                quantized[column * depth + p] = q
                sum += Int32(q)
            }
            scales[column] = scale
            sums[column] = sum
        }
        var panels = [Int8](repeating: 0, count: engram_qgemm_packed_bytes(columns, depth))
        quantized.withUnsafeBufferPointer { source in
            panels.withUnsafeMutableBufferPointer { packed in
                guard let from = source.baseAddress, let to = packed.baseAddress else { return }
                engram_qgemm_pack_b(from, columns, depth, to)
            }
        }
        self.panels = panels
        self.scales = scales
        columnSums = sums
    }

    /// Quantises an array; see ``init(_:columns:depth:transposed:)``.
    public init(_ b: [Float], columns: Int, depth: Int, transposed: Bool) {
        self = b.withUnsafeBufferPointer { QuantizedMatrix($0, columns: columns, depth: depth, transposed: transposed) }
    }

    /// The float value the 8-bit weight at (`p`, `column`) stands for: what the product multiplies.
    public func dequantized(row p: Int, column: Int) -> Float {
        precondition((0..<depth).contains(p) && (0..<columns).contains(column), "QuantizedMatrix: (\(p), \(column)) out of range")
        let k4 = engram_qgemm_padded_depth(depth)
        let panel = column / 16, offset = panel * 16 * k4 + (p / 4) * 64 + (column % 16) * 4 + p % 4
        return Float(panels[offset]) * scales[column]
    }
}

/// Rows of activations in unsigned 8 bits around a zero point of 128, one scale per row (its largest
/// magnitude over 127): the left-hand side of ``Kernels/gemm(_:_:bias:into:columnRange:)``,
/// quantised once and shared by the threads that split a product's columns.
public struct QuantizedRows: Sendable {
    public let rows: Int
    public let width: Int
    /// Bytes per row: `width` rounded up to 4, padded with the zero point.
    @usableFromInline let stride: Int
    @usableFromInline var codes: [UInt8]
    @usableFromInline var scales: [Float]

    /// Quantises the `rows × width` row-major `x`. A NaN quantises to 0.
    ///
    /// In the vector width of the product's kernel (``QuantizedKernel/best``): the same codes and
    /// scales bit for bit with each.
    /// - Precondition: `x.count == rows · width`.
    public init(_ x: UnsafeBufferPointer<Float>, rows: Int, width: Int) {
        self.init(x, rows: rows, width: width, kernel: .best)
    }

    /// ``init(_:rows:width:)`` through a given kernel's loop (for tests).
    init(_ x: UnsafeBufferPointer<Float>, rows: Int, width: Int, kernel: QuantizedKernel) {
        precondition(rows >= 0 && width >= 0 && x.count == rows * width, "QuantizedRows: \(x.count) values for \(rows) × \(width)")
        self.rows = rows
        self.width = width
        let stride = engram_qgemm_padded_depth(width)
        self.stride = stride
        var codes = [UInt8](repeating: UInt8(ENGRAM_QGEMM_ZERO_POINT), count: rows * stride)
        var scales = [Float](repeating: 1, count: rows)
        if let base = x.baseAddress, rows > 0 {
            codes.withUnsafeMutableBufferPointer { codes in
                scales.withUnsafeMutableBufferPointer { scales in
                    engram_qgemm_quantize_rows(rows, width, base, width, codes.baseAddress, stride, scales.baseAddress, kernel.code)
                }
            }
        }
        self.codes = codes
        self.scales = scales
    }
}

/// The loops of the 8-bit product, slowest first; each gives the same floats bit for bit.
public enum QuantizedKernel: Int, CaseIterable, Sendable {
    /// Scalar C, on any processor.
    case portable
    /// `vpmaddubsw` on codes recentred to signed bytes: about a third of VNNI's work per instruction.
    case avx2
    /// AVX-512 VNNI's `vpdpbusd`: 64 products and their sums per instruction.
    case vnni

    /// The fastest kernel this processor runs (detected once when the library loads).
    public static var best: QuantizedKernel { allCases.last { $0.code == engram_qgemm_best_kernel() } ?? .portable }

    /// The kernels this processor runs, slowest first (for tests that hold each to the portable loop).
    static var available: [QuantizedKernel] { allCases.filter { $0.rawValue <= best.rawValue } }

    public var name: String {
        switch self {
        case .portable: "portable"
        case .avx2: "AVX2"
        case .vnni: "AVX-512 VNNI"
        }
    }

    var code: Int32 {
        switch self {
        case .portable: Int32(ENGRAM_QGEMM_PORTABLE)
        case .avx2: Int32(ENGRAM_QGEMM_AVX2)
        case .vnni: Int32(ENGRAM_QGEMM_VNNI)
        }
    }
}

extension Kernels {
    /// Whether 8-bit dot products run on AVX-512 VNNI here (detected once when the library loads):
    /// then a scan's query levels are 8-bit.
    public static var hasInt8DotProducts: Bool { QuantizedKernel.best == .vnni }

    /// `C ← dequantise(A·B) (+ bias on every row)` for 8-bit `A` (`rows × b.depth`) and `B`, into the
    /// row-major float `C` (`rows × b.columns`).
    ///
    /// The 32-bit integer sums are exact; each output is then `sum · (scaleᵢ · scaleⱼ) + biasⱼ`,
    /// rounded twice, identically on every processor.
    /// - Parameters:
    ///   - columnRange: the columns of C to compute (the rest are untouched), so that threads can
    ///     split one product; its lower bound must be a multiple of 16.
    /// - Note: Against the float32 product the error is that of quantising both operands: per output
    ///   at most `½(sᵢ·Σ|bₚⱼ| + sⱼ·Σ|aᵢₚ|) + ¼·k·sᵢ·sⱼ` for the row and column scales sᵢ, sⱼ.
    /// - Precondition: consistent sizes.
    public static func gemm(
        _ a: QuantizedRows, _ b: QuantizedMatrix, bias: UnsafeBufferPointer<Float>? = nil,
        into c: UnsafeMutableBufferPointer<Float>, columnRange: Range<Int>? = nil
    ) {
        quantizedGemm(a, b, bias: bias, into: c, columnRange: columnRange, kernel: .best)
    }

    /// ``gemm(_:_:bias:into:columnRange:)`` through a given kernel (for tests).
    static func quantizedGemm(
        _ a: QuantizedRows, _ b: QuantizedMatrix, bias: UnsafeBufferPointer<Float>?,
        into c: UnsafeMutableBufferPointer<Float>, columnRange: Range<Int>?, kernel: QuantizedKernel
    ) {
        let range = columnRange ?? 0..<b.columns
        precondition(a.width == b.depth, "gemm: A has \(a.width) columns, B has depth \(b.depth)")
        precondition(c.count == a.rows * b.columns, "gemm: C has \(c.count) values, not \(a.rows) × \(b.columns)")
        precondition(bias == nil || bias?.count == b.columns, "gemm: bias has the wrong length")
        precondition(range.lowerBound % 16 == 0 && range.lowerBound >= 0 && range.upperBound <= b.columns,
                     "gemm: bad column range \(range)")
        guard a.rows > 0, !range.isEmpty, let out = c.baseAddress else { return }
        a.codes.withUnsafeBufferPointer { codes in
            a.scales.withUnsafeBufferPointer { rowScales in
                b.panels.withUnsafeBufferPointer { panels in
                    b.columnSums.withUnsafeBufferPointer { sums in
                        b.scales.withUnsafeBufferPointer { columnScales in
                            engram_qgemm(a.rows, b.columns, b.depth, codes.baseAddress, a.stride, rowScales.baseAddress,
                                         panels.baseAddress, sums.baseAddress, columnScales.baseAddress, bias?.baseAddress,
                                         out, b.columns, range.lowerBound, range.upperBound, kernel.code)
                        }
                    }
                }
            }
        }
    }
}
