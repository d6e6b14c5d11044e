import Foundation

/// The LoCoMo long-term conversation benchmark (Maharana et al., ACL 2024), read from its public
/// `locomo10.json`. The data set is CC BY-NC 4.0 and is never bundled: commands read it by path.
public struct LoCoMo: Sendable {
    /// One dialogue turn, with the text the retrieval protocol indexes.
    public struct Turn: Sendable, Equatable {
        public var id: String          // "D3:7"
        public var session: Int        // 3
        public var speaker: String
        public var sessionDate: String?
        /// `"{speaker}: {text}"`, plus `" [shares a photo of {caption}]"` when the turn has a photo.
        public var memoryText: String
    }

    /// One question with its evidence turns.
    public struct Question: Sendable, Equatable {
        public var question: String
        public var category: Int
        public var evidence: [String]
    }

    public struct Conversation: Sendable {
        public var sampleID: String
        public var turns: [Turn]
        public var questions: [Question]
    }

    public var conversations: [Conversation]

    /// Reads `locomo10.json`.
    /// - Throws: ``DataFileError`` naming the file and what is malformed.
    public static func load(path: String) throws -> LoCoMo {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DataFileError.unreadable(path: path, reason: error.localizedDescription)
        }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw DataFileError.unreadable(path: path, reason: "not a JSON array of conversations")
        }
        return LoCoMo(conversations: try root.enumerated().map { index, item in
            try conversation(item, index: index, path: path)
        })
    }

    private static func conversation(_ item: [String: Any], index: Int, path: String) throws -> Conversation {
        guard let body = item["conversation"] as? [String: Any] else {
            throw DataFileError.unreadable(path: path, reason: "conversation \(index) has no \"conversation\" object")
        }
        let sessions = body.keys.compactMap { key -> Int? in
            guard key.hasPrefix("session_"), !key.hasSuffix("date_time") else { return nil }
            return Int(key.dropFirst("session_".count))
        }.sorted()
        var turns: [Turn] = []
        for session in sessions {
            guard let list = body["session_\(session)"] as? [[String: Any]] else { continue }
            let date = body["session_\(session)_date_time"] as? String
            for raw in list {
                guard let speaker = raw["speaker"] as? String, let text = raw["text"] as? String,
                      let id = raw["dia_id"] as? String else {
                    throw DataFileError.unreadable(path: path, reason: "conversation \(index), session \(session): a turn lacks speaker, text or dia_id")
                }
                var memoryText = "\(speaker): \(text)"
                if let caption = raw["blip_caption"] as? String { memoryText += " [shares a photo of \(caption)]" }
                turns.append(Turn(id: id, session: session, speaker: speaker, sessionDate: date, memoryText: memoryText))
            }
        }
        let questions = (item["qa"] as? [[String: Any]] ?? []).compactMap { qa -> Question? in
            guard let question = qa["question"] as? String, let category = qa["category"] as? Int else { return nil }
            return Question(question: question, category: category, evidence: qa["evidence"] as? [String] ?? [])
        }
        return Conversation(sampleID: item["sample_id"] as? String ?? "conversation-\(index + 1)", turns: turns, questions: questions)
    }
}
