import EngramData
import Foundation

/// The hand-written recall development set (`shared/data/memory-dev/cases.json`, CC0): facts asked
/// for again in other words, knowledge updates whose newer fact must win, and distractors that
/// answer nothing. Read by path; tuning on it is allowed (held-out cases exist elsewhere).
public struct MemoryDevSet: Sendable {
    /// A fact and a question that asks for it again, sharing at most one content word with it.
    public struct Paraphrase: Sendable, Equatable {
        public var fact: String
        public var question: String
    }

    /// An older fact, the newer one that replaces it for the same subject, and a question about
    /// the current state (answered by `new`).
    public struct Update: Sendable, Equatable {
        public var old: String
        public var new: String
        public var question: String
    }

    public var paraphrases: [Paraphrase]
    public var updates: [Update]
    public var distractors: [String]

    public init(paraphrases: [Paraphrase], updates: [Update], distractors: [String]) {
        self.paraphrases = paraphrases
        self.updates = updates
        self.distractors = distractors
    }

    /// Reads `cases.json`.
    /// - Throws: ``DataFileError/unreadable(path:reason:)`` naming the list and the entry that is malformed.
    public static func load(path: String) throws -> MemoryDevSet {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DataFileError.unreadable(path: path, reason: error.localizedDescription)
        }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw DataFileError.unreadable(path: path, reason: "not a JSON object")
        }
        func entries(_ key: String) throws -> [Any] {
            guard let list = root[key] as? [Any] else {
                throw DataFileError.unreadable(path: path, reason: "no \"\(key)\" list")
            }
            return list
        }
        func strings(_ entry: Any, _ keys: [String], list: String, index: Int) throws -> [String] {
            guard let object = entry as? [String: Any] else {
                throw DataFileError.unreadable(path: path, reason: "\(list)[\(index)] is not an object")
            }
            return try keys.map { key in
                guard let value = object[key] as? String, !value.allSatisfy(\.isWhitespace) else {
                    throw DataFileError.unreadable(path: path, reason: "\(list)[\(index)] has no non-empty \"\(key)\" string")
                }
                return value
            }
        }
        let paraphrases = try entries("paraphrase").enumerated().map { index, entry in
            let s = try strings(entry, ["fact", "question"], list: "paraphrase", index: index)
            return Paraphrase(fact: s[0], question: s[1])
        }
        let updates = try entries("update").enumerated().map { index, entry in
            let s = try strings(entry, ["old", "new", "question"], list: "update", index: index)
            return Update(old: s[0], new: s[1], question: s[2])
        }
        let distractors = try entries("distractors").enumerated().map { index, entry in
            guard let text = entry as? String, !text.allSatisfy(\.isWhitespace) else {
                throw DataFileError.unreadable(path: path, reason: "distractors[\(index)] is not a non-empty string")
            }
            return text
        }
        return MemoryDevSet(paraphrases: paraphrases, updates: updates, distractors: distractors)
    }
}
