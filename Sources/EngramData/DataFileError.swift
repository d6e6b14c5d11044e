/// Why a data file (LoCoMo, a CSV data set, an episode file, a gzip stream) could not be read.
public enum DataFileError: Error, Sendable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// A gzip stream that zlib rejected.
    case corruptGzip(path: String, reason: String)
    /// A CSV line that is not a row of numbers with a class in the last column.
    case malformedRow(path: String, line: Int, reason: String)
    /// An episode file that does not decode; the detail names the case and the field.
    case malformedEpisodeFile(path: String, detail: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "cannot read \(path): \(reason)"
        case let .corruptGzip(path, reason): "\(path) is not a valid gzip file: \(reason)"
        case let .malformedRow(path, line, reason): "\(path):\(line): \(reason)"
        case let .malformedEpisodeFile(path, detail): "\(path): \(detail)"
        }
    }
}
