import EngramKernels

/// A fast-weight associative memory: a `dValue × dKey` matrix `M` written one key → value pair at
/// a time and read by a key as `M·k`.
///
/// The memories behind this protocol differ only in their write rule: plain linear attention
/// (``LinearAttentionMemory``), decayed linear attention (``GatedLinearMemory``), the delta rule
/// (``DeltaRuleMemory``), the gated delta rule (``GatedDeltaMemory``) and the importance-gated
/// ``MetaplasticMemory``. They are compared on Multi-Query Associative Recall by
/// `engram bench mqar`.
///
/// Writes are atomic: a write that throws leaves the memory unchanged.
public protocol FastWeightMemory: Sendable {
    /// The length of every key.
    var dKey: Int { get }
    /// The length of every value.
    var dValue: Int { get }
    /// The matrix read by ``read(key:)``, row-major `dValue × dKey`: entry `(i, j)` is
    /// `state[i * dKey + j]`.
    var state: [Float] { get }
    /// Stores the association `key → value` by the memory's write rule.
    /// - Throws: ``AssociativeError/mismatchedVector(name:expected:actual:)`` or
    ///   ``AssociativeError/nonFiniteElement(name:index:)`` for a bad key or value.
    mutating func write(key: [Float], value: [Float]) throws
    /// The value the memory associates with `key`: `M·key` (length `dValue`).
    /// - Throws: as ``write(key:value:)`` for a bad key.
    func read(key: [Float]) throws -> [Float]
    /// Forgets everything: the memory is as new.
    mutating func reset()
}

extension AssociativeError {
    /// Checks that `vector`, called `name` in messages, has `dimension` finite elements.
    static func check(_ vector: [Float], dimension: Int, name: String) throws {
        guard vector.count == dimension else {
            throw AssociativeError.mismatchedVector(name: name, expected: dimension, actual: vector.count)
        }
        if let bad = vector.firstIndex(where: { !$0.isFinite }) {
            throw AssociativeError.nonFiniteElement(name: name, index: bad)
        }
    }

    /// Checks that `value`, called `name`, is finite and in `range`, which `text` describes.
    static func check(_ value: Float, name: String, in range: ClosedRange<Float>, excludingLowerBound: Bool, text: String) throws {
        let above = excludingLowerBound ? value > range.lowerBound : value >= range.lowerBound
        guard value.isFinite, above, value <= range.upperBound else {
            throw AssociativeError.invalidParameter(name: name, requirement: "must be in \(text), got \(value)")
        }
    }
}

/// The matrix every fast-weight memory keeps, with the few operations their write rules share.
/// Row-major `dValue × dKey` over one contiguous `[Float]`.
struct FastWeights: Sendable, Equatable {
    let dKey: Int
    let dValue: Int
    var matrix: [Float]

    /// A zero matrix; throws unless both dimensions are at least 1 and the matrix fits in memory.
    init(dKey: Int, dValue: Int) throws {
        guard dKey >= 1 else { throw AssociativeError.invalidParameter(name: "dKey", requirement: "must be at least 1, got \(dKey)") }
        guard dValue >= 1 else { throw AssociativeError.invalidParameter(name: "dValue", requirement: "must be at least 1, got \(dValue)") }
        let (count, overflow) = dKey.multipliedReportingOverflow(by: dValue)
        guard !overflow, count <= 1 << 31 else {
            throw AssociativeError.invalidParameter(name: "dKey × dValue", requirement: "must be at most 2³¹, got \(dKey) × \(dValue)")
        }
        self.dKey = dKey
        self.dValue = dValue
        matrix = [Float](repeating: 0, count: count)
    }

    /// Validates a key and a value before a write.
    func check(key: [Float], value: [Float]) throws {
        try AssociativeError.check(key, dimension: dKey, name: "key")
        try AssociativeError.check(value, dimension: dValue, name: "value")
    }

    /// `M·key` for a validated key.
    func product(_ key: [Float]) -> [Float] {
        Kernels.gemv(matrix, rows: dValue, columns: dKey, key)
    }

    /// `M·key`, validating the key first.
    func read(key: [Float]) throws -> [Float] {
        try AssociativeError.check(key, dimension: dKey, name: "key")
        return product(key)
    }

    /// `M ← γ·M`.
    mutating func scale(by gamma: Float) {
        guard gamma != 1 else { return }
        matrix.withUnsafeMutableBufferPointer { m in
            for index in m.indices { m[index] *= gamma }
        }
    }

    /// `M[i, ·] ← γᵢ·M[i, ·]` for each row `i`.
    mutating func scaleRows(by gammas: [Float]) {
        assert(gammas.count == dValue)
        let columns = dKey
        matrix.withUnsafeMutableBufferPointer { m in
            for row in 0..<gammas.count where gammas[row] != 1 {
                let gamma = gammas[row]
                for index in row * columns..<(row + 1) * columns { m[index] *= gamma }
            }
        }
    }

    /// The rank-one update `M ← M + u·wᵀ` (`u` of length `dValue`, `w` of length `dKey`), one
    /// axpy per row.
    mutating func addOuterProduct(_ u: [Float], _ w: [Float]) {
        assert(u.count == dValue && w.count == dKey)
        let columns = dKey
        matrix.withUnsafeMutableBufferPointer { m in
            w.withUnsafeBufferPointer { pw in
                for row in 0..<u.count where u[row] != 0 {
                    let slice = UnsafeMutableBufferPointer(rebasing: m[row * columns..<(row + 1) * columns])
                    Kernels.axpy(u[row], pw, slice)
                }
            }
        }
    }

    /// The delta-rule step `M ← M + β·(v − M·k)·kᵀ`.
    mutating func deltaStep(key: [Float], value: [Float], beta: Float) {
        let prediction = product(key)
        var residual = value
        for i in residual.indices { residual[i] = beta * (value[i] - prediction[i]) }
        addOuterProduct(residual, key)
    }

    /// Sets every entry to 0.
    mutating func reset() {
        matrix.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}
