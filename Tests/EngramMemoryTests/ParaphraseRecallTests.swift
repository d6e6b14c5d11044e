import EngramText
import Foundation
import Testing
@testable import EngramMemory

/// Recall with the real all-MiniLM-L6-v2 (provisioned by the model store like the encoder's own
/// tests): paraphrased questions find the memory that answers them.
@Suite("Recall with the sentence encoder")
struct ParaphraseRecallTests {
    static let encoder = Task { try SentenceEncoder(directory: try await ModelStore(progress: true).resolve()) }

    @Test func paraphrasedQuestionsFindTheirMemory() async throws {
        let store = try MemoryStore(inMemoryWith: try await Self.encoder.value)
        let facts = [
            "Maya is planning a hiking trip to the Dolomites in July.",
            "Tomás is allergic to peanuts, so they pack their own snacks.",
            "Maya started a new job as a data engineer at a bicycle company.",
            "Her sister Lena looks after the cat when Maya travels.",
            "The team migrates the order database from MySQL to PostgreSQL.",
            "Maya cycles to the office along the river, about 25 minutes.",
        ]
        let ids = try store.remember(facts.map { NewMemory(text: $0, scope: "maya") }).map(\.id)
        let questions: [(String, Int)] = [
            ("Which mountains will she walk in this summer?", 0),
            ("Does anyone have a food allergy?", 1),
            ("What is Maya's profession?", 2),
            ("Who takes care of her pet?", 3),
            ("Which database system are they moving to?", 4),
            ("How long is her commute by bike?", 5),
        ]
        for (question, answer) in questions {
            let hits = try store.recall(question, scope: "maya", k: 2)
            #expect(hits.map(\.memory.id).contains(ids[answer]), "\(question) → \(hits.map(\.memory.text))")
        }
    }
}
