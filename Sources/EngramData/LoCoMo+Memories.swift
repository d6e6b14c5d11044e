import EngramMemory
import Foundation

extension LoCoMo.Conversation {
    /// The scope a conversation is imported into: `locomo/{sample_id}`.
    public var scope: String { "locomo/\(sampleID)" }

    /// The conversation's turns as memories, following the protocol in LoCoMo's README: the
    /// turn's text (`memoryText`), one scope per conversation, one session per LoCoMo session,
    /// the session date as metadata and as the memory's time (turn t of a session one second
    /// after turn t − 1, so that time orders the turns), and the turn id `dia_id` as metadata.
    /// Duplicates are the caller's concern: the benchmark stores every turn.
    public func memories() -> [NewMemory] {
        var turnInSession: [Int: Int] = [:]
        return turns.map { turn in
            let position = turnInSession[turn.session, default: 0]
            turnInSession[turn.session] = position + 1
            var metadata = ["dia_id": turn.id, "speaker": turn.speaker]
            metadata["session_date"] = turn.sessionDate
            let start = turn.sessionDate.flatMap(LoCoMo.parseSessionDate)
            return NewMemory(text: turn.memoryText, scope: scope, session: "session_\(turn.session)", metadata: metadata,
                             time: start.map { $0.addingTimeInterval(Double(position)) })
        }
    }
}

extension LoCoMo {
    /// Parses a session date such as `1:56 pm on 8 May, 2023` (in UTC; the data set gives no zone).
    public static func parseSessionDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "h:mm a 'on' d MMMM, yyyy"
        return formatter.date(from: text)
    }
}
