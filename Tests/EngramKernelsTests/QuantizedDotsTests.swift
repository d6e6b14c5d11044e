import Testing
@testable import EngramKernels

/// The scans of 8-bit codes: the 16-bit-level kernel (AVX2 or portable) and the 8-bit-level one
/// (AVX-512 VNNI or the widened fallback) against a scalar loop, on every stride the index uses
/// and on row counts that leave a remainder after the four-row passes.
@Suite("8-bit index scans")
struct QuantizedDotsTests {
    @Test(arguments: [16, 48, 64, 112, 384, 400])
    func bothLevelWidthsMatchAScalarLoop(stride: Int) {
        var generator = SeededGenerator(seed: UInt64(stride))
        for rows in [1, 3, 4, 7, 33] {
            let codes = (0..<rows * stride).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let narrow = (0..<stride).map { _ in Int8.random(in: -127...127, using: &generator) }
            let wide = (0..<stride).map { _ in Int16.random(in: -32_767...32_767, using: &generator) }
            func expected<T: BinaryInteger>(_ levels: [T]) -> [Int32] {
                (0..<rows).map { r in
                    var sum: Int32 = 0
                    for j in 0..<stride { sum &+= Int32(codes[r * stride + j]) &* Int32(levels[j]) }
                    return sum
                }
            }
            var sums = [Int32](repeating: 0, count: rows)
            codes.withUnsafeBufferPointer { c in
                narrow.withUnsafeBufferPointer { q in sums.withUnsafeMutableBufferPointer { Kernels.quantizedDots(c, rows: rows, stride: stride, q, into: $0) } }
            }
            #expect(sums == expected(narrow), "8-bit levels, \(rows) rows")
            codes.withUnsafeBufferPointer { c in
                wide.withUnsafeBufferPointer { q in sums.withUnsafeMutableBufferPointer { Kernels.quantizedDots(c, rows: rows, stride: stride, q, into: $0) } }
            }
            #expect(sums == expected(wide), "16-bit levels, \(rows) rows")
        }
    }
}
