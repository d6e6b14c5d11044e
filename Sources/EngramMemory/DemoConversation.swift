import Foundation

/// The built-in conversation of `engram demo`: three sessions of an assistant with its user, and
/// five questions asked in other words, each with the memory that answers it. The recall
/// benchmark scores it too, so the demo shows what the benchmarks measure.
public enum DemoConversation {
    /// The scope the demo remembers into.
    public static let scope = "demo"

    /// The remembered statements, in time order.
    public static let memories: [NewMemory] = [
        ("trip", "2026-05-02T09:00:00Z", "Maya is planning a hiking trip to the Dolomites in July."),
        ("trip", "2026-05-02T09:01:00Z", "She wants to stay in mountain huts rather than hotels."),
        ("trip", "2026-05-02T09:02:00Z", "Her friend Tomás will join her for the first week."),
        ("trip", "2026-05-02T09:03:00Z", "Tomás is allergic to peanuts, so they pack their own snacks."),
        ("trip", "2026-05-02T09:04:00Z", "Maya booked the Rifugio Lagazuoi for the nights of 12 and 13 July."),
        ("work", "2026-06-10T14:00:00Z", "Maya started a new job as a data engineer at a bicycle company."),
        ("work", "2026-06-10T14:01:00Z", "Her team migrates the order database from MySQL to PostgreSQL."),
        ("work", "2026-06-10T14:02:00Z", "Her manager, Ines, prefers written updates every Friday."),
        ("work", "2026-06-10T14:03:00Z", "Maya cycles to the office along the river, about 25 minutes."),
        ("home", "2026-06-20T19:00:00Z", "Maya adopted a grey cat called Pixel from the animal shelter."),
        ("home", "2026-06-20T19:01:00Z", "Pixel hides under the sofa whenever the doorbell rings."),
        ("home", "2026-06-20T19:02:00Z", "Her sister Lena looks after Pixel when Maya travels."),
    ].map { session, time, text in
        NewMemory(text: text, scope: scope, session: session, time: ISO8601DateFormatter().date(from: time))
    }

    /// The questions, each with the index in ``memories`` of the memory that answers it.
    public static let questions: [(question: String, answer: Int)] = [
        ("Where is Maya going walking this summer?", 0),
        ("Which food must be avoided on the trip?", 3),
        ("What does Maya do for a living?", 5),
        ("Who takes care of the pet during the holidays?", 11),
        ("How does she get to work?", 8),
    ]
}
