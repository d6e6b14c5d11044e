import EngramKernels

/// Agent-memory-like sentences for the store benchmark, drawn from a seed: a person, an action,
/// an object, a place and a time, e.g. "Priya repaired an old bicycle near the harbour last
/// Tuesday." (15–20 words with the detail clause), so that texts are varied but of the length of
/// chat turns. They exercise encoding, coding, storage and search; their meaning is not scored.
public enum SyntheticMemories {
    static let people = ["Priya", "Tomás", "Mei", "Jonas", "Amara", "Lena", "Omar", "Sofia", "Kenji", "Chloe",
                         "Ravi", "Ines", "Noah", "Fatima", "Lucas", "Hana", "Diego", "Zara", "Elias", "Maya"]
    static let actions = ["repaired", "bought", "painted", "borrowed", "lost", "found", "photographed", "sold",
                          "cleaned", "built", "ordered", "returned", "wrapped", "measured", "described", "planted"]
    static let objects = ["an old bicycle", "a blue notebook", "the kitchen table", "a pair of hiking boots",
                          "a small wooden boat", "the garden fence", "a vintage camera", "a birthday cake",
                          "the office printer", "a set of watercolours", "a guitar with nylon strings",
                          "a jar of plum jam", "the broken umbrella", "a map of the old town", "a ceramic vase",
                          "a chess set", "the winter coat", "a basket of apples", "a secondhand laptop", "a telescope"]
    static let places = ["near the harbour", "at the weekend market", "in the community workshop", "at home",
                         "behind the library", "in the mountain hut", "at the train station", "in the old barn",
                         "on the balcony", "at the school fair", "in a café downtown", "by the river"]
    static let times = ["last Tuesday", "in early spring", "two weeks ago", "on New Year's Eve", "this morning",
                        "during the storm", "after the concert", "before the holidays", "in 2019", "yesterday evening"]
    static let details = ["because the old one had worn out", "for a friend's birthday", "to surprise the neighbours",
                          "while it rained heavily", "with help from a cousin", "after reading a long review",
                          "for the first time in years", "despite a tight budget", "", "", ""]

    /// `count` sentences from `seed`.
    public static func texts(count: Int, seed: UInt64) -> [String] {
        var random = SeededGenerator(seed: seed)
        func pick(_ list: [String]) -> String { list[Int.random(in: 0..<list.count, using: &random)] }
        return (0..<count).map { _ in
            let detail = pick(details)
            return "\(pick(people)) \(pick(actions)) \(pick(objects)) \(pick(places)) \(pick(times))"
                + (detail.isEmpty ? "." : " \(detail).")
        }
    }
}
