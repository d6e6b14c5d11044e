import Foundation

/// What a memory's text is indexed by beyond its whole-text embedding: passages of long texts
/// (each embedded as a cue of its own, so that a detail deep in a long memory is not averaged
/// away by mean pooling or cut off at the encoder's 256 tokens) and the entities it names.
enum CueExtraction {
    /// Texts with more words than this get passage cues.
    static let passageThreshold = 64
    /// The most words a passage holds (whole sentences are kept together unless one is longer).
    static let passageWords = 48

    /// The passages of `text`: consecutive sentences grouped up to ``passageWords`` words; empty
    /// for a text of at most ``passageThreshold`` words, whose whole-text cue suffices.
    static func passages(of text: String) -> [String] {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard words.count > passageThreshold else { return [] }
        var passages: [String] = []
        var current: [Substring] = []
        func flush() {
            if !current.isEmpty { passages.append(current.joined(separator: " ")) }
            current = []
        }
        for sentence in sentences(of: text) {
            let sentenceWords = sentence.split(whereSeparator: \.isWhitespace)
            if current.count + sentenceWords.count > passageWords { flush() }
            // A sentence longer than a passage is cut into passage-sized pieces.
            var rest = sentenceWords[...]
            while rest.count > passageWords {
                current.append(contentsOf: rest.prefix(passageWords))
                rest = rest.dropFirst(passageWords)
                flush()
            }
            current.append(contentsOf: rest)
        }
        flush()
        return passages.count > 1 ? passages : []
    }

    /// The fewest words a clause cue holds.
    static let clauseWords = 3

    /// The clauses of a short `text` (at most ``passageThreshold`` words; long texts have passages):
    /// its pieces between sentence ends, semicolons and commas, each of at least ``clauseWords``
    /// words (a shorter piece joins the next), prefixed with the text's speaker label when it opens
    /// with one (`"Caroline: "`). Each is embedded as a cue of its own, so that a question about
    /// one part of a memory meets that part rather than the average of all of them (mean pooling
    /// blurs "Lea looks after Biscuit, our beagle, whenever we travel" towards its names). Empty
    /// when the text has one clause.
    static func clauses(of text: String) -> [String] {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard words.count <= passageThreshold else { return [] }
        var body = Substring(text)
        var label = ""
        if let colon = text.firstIndex(of: ":"), text.distance(from: text.startIndex, to: colon) <= 40,
           !text[..<colon].contains(where: { $0.isWhitespace && $0 != " " }), text[..<colon].split(separator: " ").count <= 3 {
            label = String(text[...colon]) + " "
            body = text[text.index(after: colon)...]
        }
        var pieces: [String] = []
        var current = ""
        var previous: Character = " "
        func cut() {
            let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
            current = ""
            guard !trimmed.isEmpty else { return }
            if trimmed.split(whereSeparator: \.isWhitespace).count < clauseWords {
                current = trimmed + " "   // too short: it joins the next piece
            } else {
                pieces.append(trimmed)
            }
        }
        for character in body {
            if character.isWhitespace, ".!?;,".contains(previous) {
                cut()
            } else {
                current.append(character)
            }
            previous = character
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty {
            if rest.split(whereSeparator: \.isWhitespace).count < clauseWords, let last = pieces.popLast() {
                pieces.append(last + " " + rest)
            } else {
                pieces.append(rest)
            }
        }
        return pieces.count > 1 ? pieces.map { label + $0 } : []
    }

    /// The sentences of `text`, split after `.`, `!`, `?` or a line break followed by white space.
    static func sentences(of text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var previous: Character = " "
        for character in text {
            if character.isWhitespace, previous == "." || previous == "!" || previous == "?" || previous.isNewline {
                let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !trimmed.isEmpty { result.append(trimmed) }
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty { result.append(trimmed) }
        return result
    }

    /// The entities `text` names, lower-cased and distinct, in order of first mention: capitalised
    /// words that do not open a sentence (names of people, places, things) and tokens with digits
    /// (years, dates, numbers of two or more characters).
    static func entities(in text: String) -> [String] {
        var found: [String] = []
        var seen = Set<String>()
        for sentence in sentences(of: text) {
            let tokens = sentence.split { !($0.isLetter || $0.isNumber || $0 == "'" || $0 == "’" || $0 == "-") }
            for (position, raw) in tokens.enumerated() {
                var token = String(raw).trimmingCharacters(in: CharacterSet(charactersIn: "'’-"))
                for suffix in ["'s", "’s"] where token.hasSuffix(suffix) { token.removeLast(2) }
                guard token.count >= 2, let first = token.first else { continue }
                let hasDigit = token.contains(where: \.isNumber)
                let isName = first.isUppercase && position > 0 && !commonCapitalised.contains(token)
                guard hasDigit || isName else { continue }
                let name = token.lowercased()
                if seen.insert(name).inserted { found.append(name) }
            }
        }
        return found
    }

    /// Capitalised words that name nothing in particular.
    private static let commonCapitalised: Set<String> = [
        "I", "I'm", "I've", "I'll", "I'd", "OK", "Ok", "Oh", "Yes", "No", "Hey", "Hi", "Thanks", "Wow",
    ]
}
