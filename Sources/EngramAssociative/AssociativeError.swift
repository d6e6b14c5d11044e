/// Why an associative-memory operation rejected its input. Each case says what was wrong and the
/// sizes or key involved.
public enum AssociativeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A vector whose length differs from the structure's dimension.
    case dimensionMismatch(expected: Int, actual: Int)
    /// A vector holding NaN or an infinity (`index` is the first such element).
    case nonFinite(index: Int)
    /// A parameter outside its valid range, such as k > m or a non-positive β.
    case invalidParameter(name: String, requirement: String)
    /// A search or recall on a structure that holds nothing.
    case empty
    /// A key that is not stored.
    case unknownKey(Int)
    /// A key that is already stored.
    case duplicateKey(Int)
    /// A serialised structure that cannot be decoded.
    case malformedData(String)
    /// A named input vector (a fast-weight memory's `key` or `value`) of the wrong length.
    case mismatchedVector(name: String, expected: Int, actual: Int)
    /// A named input vector holding NaN or an infinity (`index` is the first such element).
    case nonFiniteElement(name: String, index: Int)

    public var description: String {
        switch self {
        case let .dimensionMismatch(expected, actual): "expected a vector of dimension \(expected), got \(actual)"
        case let .nonFinite(index): "the vector holds a non-finite value at index \(index)"
        case let .invalidParameter(name, requirement): "\(name) \(requirement)"
        case .empty: "the memory is empty"
        case let .unknownKey(key): "no item is stored under key \(key)"
        case let .duplicateKey(key): "an item is already stored under key \(key)"
        case let .malformedData(detail): "malformed serialised data: \(detail)"
        case let .mismatchedVector(name, expected, actual): "the \(name) has \(actual) elements, the memory takes \(expected)"
        case let .nonFiniteElement(name, index): "the \(name) holds a non-finite value at index \(index)"
        }
    }
}

extension AssociativeError {
    /// Checks that `vector` has `dimension` finite elements.
    static func check(_ vector: [Float], dimension: Int) throws {
        guard vector.count == dimension else { throw AssociativeError.dimensionMismatch(expected: dimension, actual: vector.count) }
        if let bad = vector.firstIndex(where: { !$0.isFinite }) { throw AssociativeError.nonFinite(index: bad) }
    }
}
