/// A sparse binary code: the indices of the active units among `unitCount` units.
public struct SparseCode: Sendable, Hashable, Codable {
    /// The active units, sorted ascending and distinct, each in `0..<unitCount`.
    public let active: [Int]
    /// The number of units the code ranges over.
    public let unitCount: Int

    /// Creates a code from its active units.
    /// - Parameters:
    ///   - active: sorted ascending, distinct, each in `0..<unitCount`; may be empty.
    ///   - unitCount: positive.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` when either is violated.
    public init(active: [Int], unitCount: Int) throws {
        guard unitCount > 0 else {
            throw AssociativeError.invalidParameter(name: "unitCount", requirement: "must be positive, got \(unitCount)")
        }
        for (position, unit) in active.enumerated() {
            guard unit >= 0, unit < unitCount else {
                throw AssociativeError.invalidParameter(name: "active", requirement: "must lie in 0..<\(unitCount), got \(unit)")
            }
            guard position == 0 || active[position - 1] < unit else {
                throw AssociativeError.invalidParameter(name: "active", requirement: "must be sorted ascending and distinct")
            }
        }
        self.active = active
        self.unitCount = unitCount
    }
}
