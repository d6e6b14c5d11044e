import Testing
@testable import EngramKernels

/// The 8-bit product against the float32 product it approximates, and each vector kernel this
/// processor runs (AVX2, AVX-512 VNNI) against the portable loop it must equal bit for bit.
@Suite("8-bit matrix product")
struct QuantizedGemmTests {
    /// (rows, columns, depth): edges of the 8-row and 32-column tiles, depths not a multiple of 4,
    /// and the encoder's shapes.
    static let shapes = [(1, 16, 1), (3, 17, 5), (8, 32, 4), (9, 48, 13), (13, 1152, 384), (70, 40, 7), (5, 384, 1536)]

    static func random(_ count: Int, scale: Float, _ generator: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in (generator.nextUnitFloat() * 2 - 1) * scale }
    }

    static func product(_ a: [Float], rows: Int, _ b: QuantizedMatrix, bias: [Float], kernel: QuantizedKernel = .best) -> [Float] {
        var c = [Float](repeating: .nan, count: rows * b.columns)
        let codes = a.withUnsafeBufferPointer { QuantizedRows($0, rows: rows, width: b.depth) }
        bias.withUnsafeBufferPointer { bias in
            c.withUnsafeMutableBufferPointer { c in
                Kernels.quantizedGemm(codes, b, bias: bias, into: c, columnRange: nil, kernel: kernel)
            }
        }
        return c
    }

    @Test("every vector kernel this processor runs equals the portable loop bit for bit", arguments: shapes)
    func kernelsEqualPortable(rows: Int, columns: Int, depth: Int) {
        var generator = SeededGenerator(seed: UInt64(rows * 31 + columns))
        var a = Self.random(rows * depth, scale: 3, &generator)
        // Extremes in a pair of depths (codes 255 with weights 127, codes 1 with weights −127):
        // a 16-bit pair sum of raw codes would saturate there, of recentred codes it does not.
        var w = Self.random(columns * depth, scale: 0.2, &generator)
        for p in 0..<min(depth, 4) {
            for i in 0..<rows { a[i * depth + p] = p < 2 ? 3 : -3 }
            for j in 0..<columns { w[j * depth + p] = p < 2 ? 0.2 : -0.2 }
        }
        let weights = QuantizedMatrix(w, columns: columns, depth: depth, transposed: true)
        let bias = Self.random(columns, scale: 1, &generator)
        let portable = Self.product(a, rows: rows, weights, bias: bias, kernel: .portable)
        for kernel in QuantizedKernel.available where kernel != .portable {
            let fast = Self.product(a, rows: rows, weights, bias: bias, kernel: kernel)
            #expect(fast.map(\.bitPattern) == portable.map(\.bitPattern), "\(kernel.name)")
        }
    }

    @Test("activation codes: every vector quantiser this processor runs equals the portable loop",
          arguments: [1, 15, 16, 17, 384, 1031, 1536])
    func quantiserEqualsPortable(width: Int) {
        var generator = SeededGenerator(seed: UInt64(width))
        var x = Self.random(3 * width, scale: 4, &generator)
        // Values on rounding ties, signed zeros, a NaN and an infinity in the last row.
        for i in stride(from: 0, to: x.count, by: 7) { x[i] = Float(i % 255 - 127) * 0.5 }
        x[0] = -0.0
        x[2 * width] = .nan
        if width > 1 { x[2 * width + 1] = .infinity }
        let portable = x.withUnsafeBufferPointer { QuantizedRows($0, rows: 3, width: width, kernel: .portable) }
        for kernel in QuantizedKernel.available where kernel != .portable {
            let fast = x.withUnsafeBufferPointer { QuantizedRows($0, rows: 3, width: width, kernel: kernel) }
            #expect(fast.codes == portable.codes, "\(kernel.name)")
            #expect(fast.scales.map(\.bitPattern) == portable.scales.map(\.bitPattern), "\(kernel.name)")
        }
    }

    @Test("within the quantisation bound of the float32 product", arguments: shapes)
    func withinQuantisationBound(rows: Int, columns: Int, depth: Int) {
        var generator = SeededGenerator(seed: UInt64(depth * 17 + rows))
        let a = Self.random(rows * depth, scale: 3, &generator)
        let w = Self.random(columns * depth, scale: 0.2, &generator)
        let bias = Self.random(columns, scale: 1, &generator)
        let c = Self.product(a, rows: rows, QuantizedMatrix(w, columns: columns, depth: depth, transposed: true), bias: bias)
        for i in 0..<rows {
            let row = a[i * depth..<(i + 1) * depth]
            let rowScale = Double(row.map(abs).max()!) / 127
            for j in 0..<columns {
                let column = w[j * depth..<(j + 1) * depth]
                let columnScale = Double(column.map(abs).max()!) / 127
                var exact = Double(bias[j]), sumA = 0.0, sumB = 0.0
                for p in 0..<depth {
                    exact += Double(a[i * depth + p]) * Double(w[j * depth + p])
                    sumA += Double(abs(a[i * depth + p]))
                    sumB += Double(abs(w[j * depth + p]))
                }
                // The documented bound, plus float rounding of the result.
                let bound = 0.5 * (rowScale * sumB + columnScale * sumA) + 0.25 * Double(depth) * rowScale * columnScale
                    + 1e-6 * (abs(exact) + 1)
                #expect(abs(Double(c[i * columns + j]) - exact) <= bound, "(\(i), \(j)) of \(rows)×\(columns)×\(depth)")
            }
        }
    }

    @Test("a column range computes those columns only")
    func columnRange() {
        var generator = SeededGenerator(seed: 3)
        let (rows, columns, depth) = (5, 80, 24)
        let a = Self.random(rows * depth, scale: 1, &generator)
        let weights = QuantizedMatrix(Self.random(columns * depth, scale: 1, &generator), columns: columns, depth: depth, transposed: true)
        let full = Self.product(a, rows: rows, weights, bias: [Float](repeating: 0, count: columns))
        var partial = [Float](repeating: -7, count: rows * columns)
        let codes = a.withUnsafeBufferPointer { QuantizedRows($0, rows: rows, width: depth) }
        partial.withUnsafeMutableBufferPointer { Kernels.gemm(codes, weights, into: $0, columnRange: 32..<80) }
        for i in 0..<rows {
            for j in 0..<columns {
                #expect(partial[i * columns + j] == (j < 32 ? -7 : full[i * columns + j]))
            }
        }
    }

    @Test("weights round to the nearest step of their column's scale, in either layout")
    func weightQuantisation() {
        // Column 0 is (1, −0.5, 0.25); column 1 is all zeros (scale 1, values 0).
        let depthByColumns: [Float] = [1, 0, -0.5, 0, 0.25, 0]
        let matrix = QuantizedMatrix(depthByColumns, columns: 2, depth: 3, transposed: false)
        let transposed = QuantizedMatrix([1, -0.5, 0.25, 0, 0, 0], columns: 2, depth: 3, transposed: true)
        for p in 0..<3 {
            for j in 0..<2 {
                #expect(matrix.dequantized(row: p, column: j) == transposed.dequantized(row: p, column: j))
            }
        }
        #expect(matrix.dequantized(row: 0, column: 0) == 1)
        #expect(abs(matrix.dequantized(row: 1, column: 0) + 0.5) <= 0.5 / 127)
        #expect(abs(matrix.dequantized(row: 2, column: 0) - 0.25) <= 0.5 / 127)
        #expect(matrix.dequantized(row: 1, column: 1) == 0)
    }

    @Test("a NaN activation quantises to zero and an all-zero row gives the bias")
    func degenerateRows() {
        let weights = QuantizedMatrix([Float](repeating: 0.5, count: 16 * 4), columns: 16, depth: 4, transposed: true)
        let bias = (0..<16).map(Float.init)
        let c = Self.product([.nan, 1, 1, 1, 0, 0, 0, 0], rows: 2, weights, bias: bias)
        for j in 0..<16 {
            #expect(abs(c[j] - (1.5 + bias[j])) <= 0.02)
            #expect(c[16 + j] == bias[j])
        }
    }
}
