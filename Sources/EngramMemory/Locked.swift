import Foundation

/// A value behind a lock, for state shared between threads. (`Synchronization.Mutex` would do,
/// but needs macOS 15 / iOS 18, above the package's platforms.)
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
