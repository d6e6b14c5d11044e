import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files that hold what users told an agent: created readable by their owner only (0600, and
/// 0700 for a directory Engram makes), whatever the umask, as shell history and SSH keys are.
public enum PrivateFile {
    /// Creates an empty file with mode 0600 unless one exists (another process may have made it
    /// a moment ago; it is left as it is).
    public static func create(atPath path: String) throws {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw failure(errno, "cannot create \(path)")
        }
        // The umask can only have narrowed the mode; make it exactly 0600.
        fchmod(descriptor, 0o600)
        close(descriptor)
    }

    /// Creates `directory` with mode 0700 if it does not exist (its parents with the defaults).
    public static func createDirectory(atPath directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue { return }
        let parent = (directory as NSString).deletingLastPathComponent
        if !parent.isEmpty { try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            throw failure(errno, "cannot create the directory \(directory)")
        }
        chmod(directory, 0o700)
    }

    private static func failure(_ number: Int32, _ what: String) -> MemoryError {
        .database(DatabaseFailure(kind: .io, code: "errno \(number)", message: "\(what): \(String(cString: strerror(number)))"))
    }

    /// A one-line warning if the file at `path` can be read or written by others than its owner.
    public static func wideAccessWarning(forPath path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 != 0 else { return nil }
        return "\(path) can be read by other users (mode \(String(mode, radix: 8))); `chmod 600 \(path)*` makes it private"
    }
}
