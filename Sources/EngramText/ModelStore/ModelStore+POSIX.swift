import Foundation
#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// The few POSIX calls the store needs, kept in one file: an advisory lock, an atomic rename and
// a terminal check.

/// An exclusive `flock(2)` on a lock file, held by one provisioning run at a time.
///
/// `flock` locks belong to the open file description, so two runs in one process exclude each
/// other as two processes do, and the kernel drops the lock when a process dies: a crash never
/// leaves a stale lock behind. The lock file itself is never removed (removing it would let a
/// waiter lock an unlinked inode while a newcomer locks a fresh one).
enum CacheLock {
    /// Runs `body` while holding the lock, polling without blocking a thread while another
    /// holder has it.
    ///
    /// - Parameters:
    ///   - url: The lock file; created if absent.
    ///   - onWait: Called once if the lock is busy, before waiting.
    ///   - body: The work to do under the lock.
    /// - Returns: What `body` returns.
    /// - Throws: ``TextError/modelUnavailable(_:)`` when the lock file cannot be opened or
    ///   locked; `CancellationError` when the task is cancelled while waiting; what `body` throws.
    static func withLock<T>(
        at url: URL,
        onWait: () -> Void,
        _ body: () async throws -> T
    ) async throws -> T {
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw TextError.modelUnavailable("cannot open the lock file \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }  // closing the last descriptor also releases the lock
        var waited = false
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                throw TextError.modelUnavailable("cannot lock \(url.path): \(String(cString: strerror(code)))")
            }
            if !waited {
                waited = true
                onWait()
            }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        defer { _ = flock(descriptor, LOCK_UN) }
        return try await body()
    }
}

/// Moves `source` onto `destination` in one step (`rename(2)`), replacing any file there; both
/// must be on one file system. A reader sees the old file or the new one, never a mixture.
func atomicReplace(_ source: URL, with destination: URL) throws {
    guard rename(source.path, destination.path) == 0 else {
        throw TextError.modelUnavailable(
            "cannot move \(source.path) to \(destination.path): \(String(cString: strerror(errno)))")
    }
}

/// Whether standard error is a terminal (so a progress bar may redraw itself with `\r`).
func standardErrorIsTerminal() -> Bool {
    isatty(STDERR_FILENO) == 1
}
