import Foundation

/// A safetensors header as its JSON gives it, before validation: every field optional so that a
/// missing one is reported with the tensor's name rather than as a bare decoding error.
struct SafeTensorsHeader: Decodable {
    /// One tensor's entry as written.
    struct Entry: Decodable {
        let dtype: String?
        let shape: [Int]?
        let dataOffsets: [Int]?

        enum CodingKeys: String, CodingKey {
            case dtype
            case shape
            case dataOffsets = "data_offsets"
        }
    }

    /// Any key of the top-level object: a tensor name or `__metadata__`.
    struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The key of the optional string-to-string metadata map.
    static let metadataKey = "__metadata__"

    /// The tensor entries by name, in no particular order.
    let entries: [(name: String, entry: Entry)]
    /// The `__metadata__` map, empty when absent.
    let metadata: [String: String]

    /// Decodes the top-level object.
    /// - Throws: `DecodingError` when the JSON is not an object of entries and a string map.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var entries: [(name: String, entry: Entry)] = []
        var metadata: [String: String] = [:]
        for key in container.allKeys {
            if key.stringValue == Self.metadataKey {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                entries.append((key.stringValue, try container.decode(Entry.self, forKey: key)))
            }
        }
        self.entries = entries
        self.metadata = metadata
    }
}

extension SafeTensorsHeader {
    /// Decodes header JSON, turning a decoding failure into `TextError.malformedHeader` with the
    /// JSON path of the offending value (whose first component is the tensor's name).
    /// - Parameters:
    ///   - json: the header bytes, UTF-8 JSON possibly padded with trailing spaces.
    ///   - path: the file, for the error message.
    /// - Returns: the undecoded-but-unvalidated header.
    /// - Throws: `TextError.malformedHeader` when the bytes are not JSON of the expected form.
    static func decode(_ json: Data, path: String) throws -> SafeTensorsHeader {
        do {
            return try JSONDecoder().decode(SafeTensorsHeader.self, from: json)
        } catch let error as DecodingError {
            throw TextError.malformedHeader(path: path, detail: Self.describe(error))
        } catch {
            throw TextError.malformedHeader(path: path, detail: "the header is not valid JSON: \(error)")
        }
    }

    /// A one-line account of a decoding error: where in the JSON and what was wrong.
    private static func describe(_ error: DecodingError) -> String {
        let context: DecodingError.Context
        switch error {
        case let .typeMismatch(_, c), let .valueNotFound(_, c), let .keyNotFound(_, c), let .dataCorrupted(c):
            context = c
        @unknown default:
            return "the header is not valid JSON: \(error)"
        }
        let location = context.codingPath.map(\.stringValue).joined(separator: ".")
        let underlying = (context.underlyingError).map { " (\($0))" } ?? ""
        if location.isEmpty {
            return "the header is not a JSON object of tensor entries: \(context.debugDescription)\(underlying)"
        }
        return "at \(location): \(context.debugDescription)\(underlying)"
    }
}
