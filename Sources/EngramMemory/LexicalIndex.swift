import Foundation

/// The lexical stage's index: BM25 over one scope's memories, in memory.
///
/// Why not FTS5's `bm25()`: it scores every document that matches any query term, and an OR
/// query over a chat message's words matches most of a scope — 24 ms for 20,000 short memories
/// on this machine, five times the whole recall budget — while these postings answer in well
/// under a millisecond. Keeping the index per scope also gives each scope its own term
/// statistics, as a partition should. The FTS5 table stays the durable full-text index that
/// ``MemoryStore/list(scope:matching:after:limit:)`` searches.
///
/// Scoring is Lucene's BM25 (k1 = 1.5, b = 0.75, bm25s's defaults): for each query term t,
/// `idf(t) = ln(1 + (N − n_t + 0.5) / (n_t + 0.5))` times `f·(k1 + 1) / (f + k1·(1 − b + b·|d|/avgdl))`.
/// Terms are lower-cased words with English stop words removed (see ``LexicalTerms``), no stemming.
public struct LexicalIndex: Sendable {
    /// A term's occurrence in one document, by the document's slot.
    struct Posting: Sendable {
        var slot: Int32
        var count: Int32
    }

    static let k1 = 1.5
    static let b = 0.75

    var postings: [String: [Posting]] = [:]
    /// Documents live in dense slots, so that a search accumulates scores in an array rather
    /// than a hash table; a removed document's slot is reused.
    var slotOfMemory: [MemoryID: Int32] = [:]
    var memoryOfSlot: [MemoryID] = []
    var lengthOfSlot: [Int32] = []
    var freeSlots: [Int32] = []
    var totalLength = 0

    public var documentCount: Int { slotOfMemory.count }

    /// An estimate of the heap memory the index holds, in bytes: per term its string (inline up
    /// to 15 bytes), a posting array (32-byte header, 8 bytes a posting) and a table slot; per
    /// document its slot entries. Tables are taken as ~75% full.
    public var approximateByteCount: Int {
        var bytes = 0
        for (term, list) in postings {
            bytes += (term.utf8.count > 15 ? term.utf8.count + 32 : 0) + 32 + list.capacity * MemoryLayout<Posting>.stride
        }
        bytes += postings.capacity * (MemoryLayout<String>.stride + MemoryLayout<[Posting]>.stride) * 4 / 3
        bytes += slotOfMemory.capacity * (MemoryLayout<MemoryID>.stride + MemoryLayout<Int32>.stride) * 4 / 3
        bytes += memoryOfSlot.capacity * MemoryLayout<MemoryID>.stride + (lengthOfSlot.capacity + freeSlots.capacity) * 4
        return bytes
    }

    public init() {}

    /// Indexes `text` under `memory` (replacing what was indexed under it before).
    public mutating func add(_ memory: MemoryID, text: String) {
        if slotOfMemory[memory] != nil { removeSlot(of: memory, terms: nil) }
        let terms = LexicalTerms.terms(of: text)
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            memoryOfSlot[Int(slot)] = memory
            lengthOfSlot[Int(slot)] = Int32(terms.count)
        } else {
            slot = Int32(memoryOfSlot.count)
            memoryOfSlot.append(memory)
            lengthOfSlot.append(Int32(terms.count))
        }
        slotOfMemory[memory] = slot
        var counts: [String: Int32] = [:]
        for term in terms { counts[term, default: 0] += 1 }
        for (term, count) in counts { postings[term, default: []].append(Posting(slot: slot, count: count)) }
        totalLength += terms.count
    }

    /// Removes `memory`, indexed with `text`.
    public mutating func remove(_ memory: MemoryID, text: String) {
        removeSlot(of: memory, terms: Set(LexicalTerms.terms(of: text)))
    }

    /// Removes `memory` whose text is no longer known (another process changed it): every posting
    /// list is searched, so this costs a pass over the index.
    public mutating func remove(_ memory: MemoryID) {
        removeSlot(of: memory, terms: nil)
    }

    /// Frees the memory's slot and its postings under `terms` (every term when `nil`).
    private mutating func removeSlot(of memory: MemoryID, terms: Set<String>?) {
        guard let slot = slotOfMemory.removeValue(forKey: memory) else { return }
        totalLength -= Int(lengthOfSlot[Int(slot)])
        for term in terms ?? Set(postings.keys) {
            postings[term]?.removeAll { $0.slot == slot }
            if postings[term]?.isEmpty == true { postings[term] = nil }
        }
        memoryOfSlot[Int(slot)] = -1
        lengthOfSlot[Int(slot)] = 0
        freeSlots.append(slot)
    }

    /// The idf-weighted share of `query`'s distinct terms that each of `memories` holds:
    /// `Σ_{t ∈ q ∩ d} idf(t) / Σ_{t ∈ q} idf(t)`, in [0, 1], with a query term that no document
    /// holds counted in the denominator at the idf of document frequency 0 (a query whose words
    /// the scope lacks is a paraphrase, and its lexical evidence is weak). Unlike BM25 it ignores
    /// term frequency and length, so it means the same for every query and scope: 1 for a memory
    /// with every query term, small for one that shares a common word. Memories that share no
    /// term (or are not indexed) are left out.
    public func coverage(of query: String, for memories: [MemoryID]) -> [MemoryID: Double] {
        let n = Double(slotOfMemory.count)
        guard n > 0, !memories.isEmpty else { return [:] }
        // The wanted slots as flags and their sums in an array: a common term's postings are
        // thousands long at 20,000 memories, and a hash look-up per posting cost most of a recall's
        // lexical work.
        var wanted = [Bool](repeating: false, count: memoryOfSlot.count)
        var slots: [Int32] = []
        for memory in memories {
            if let slot = slotOfMemory[memory], !wanted[Int(slot)] {
                wanted[Int(slot)] = true
                slots.append(slot)
            }
        }
        var covered = [Double](repeating: 0, count: memoryOfSlot.count)
        var total = 0.0
        for term in Set(LexicalTerms.terms(of: query)) {
            let list = postings[term] ?? []
            let idf = log(1 + (n - Double(list.count) + 0.5) / (Double(list.count) + 0.5))
            total += idf
            for posting in list where wanted[Int(posting.slot)] { covered[Int(posting.slot)] += idf }
        }
        guard total > 0 else { return [:] }
        var result: [MemoryID: Double] = [:]
        for slot in slots where covered[Int(slot)] > 0 { result[memoryOfSlot[Int(slot)]] = covered[Int(slot)] / total }
        return result
    }

    /// The `limit` best memories by BM25 for the terms of `query`, best first (ties by id), with
    /// their scores; only memories in `allowed` when it is given.
    public func search(_ query: String, limit: Int, allowed: Set<MemoryID>? = nil) -> [(MemoryID, Double)] {
        let n = Double(slotOfMemory.count)
        guard n > 0, limit > 0 else { return [] }
        let averageLength = max(Double(totalLength) / n, 1)
        var scores = [Double](repeating: 0, count: memoryOfSlot.count)
        var touched: [Int32] = []
        for term in Set(LexicalTerms.terms(of: query)) {
            guard let list = postings[term] else { continue }
            let df = Double(list.count)
            let idf = log(1 + (n - df + 0.5) / (df + 0.5))
            for posting in list {
                let slot = Int(posting.slot)
                let f = Double(posting.count), length = Double(lengthOfSlot[slot])
                let norm = Self.k1 * (1 - Self.b + Self.b * length / averageLength)
                if scores[slot] == 0 { touched.append(posting.slot) }
                scores[slot] += idf * f * (Self.k1 + 1) / (f + norm)
            }
        }
        // The best `limit` by (score descending, id ascending), kept sorted while scanning: a
        // total order, so the result does not depend on visiting order, and no sort of every
        // matching memory (thousands for common words).
        var best: [(MemoryID, Double)] = []
        best.reserveCapacity(limit + 1)
        func precedes(_ a: (MemoryID, Double), _ b: (MemoryID, Double)) -> Bool { a.1 > b.1 || (a.1 == b.1 && a.0 < b.0) }
        for slot in touched {
            let candidate = (memoryOfSlot[Int(slot)], scores[Int(slot)])
            if let allowed, !allowed.contains(candidate.0) { continue }
            if best.count == limit, let last = best.last, !precedes(candidate, last) { continue }
            let position = best.firstIndex { precedes(candidate, $0) } ?? best.count
            best.insert(candidate, at: position)
            if best.count > limit { best.removeLast() }
        }
        return best
    }
}

/// The words lexical search works on: lower-cased runs of letters and digits (with the combining
/// marks that belong to them), English stop words left out (as bm25s does with `stopwords="en"`).
enum LexicalTerms {
    /// Works on Unicode scalars with an ASCII fast path: a scope's texts are all tokenised when
    /// it is loaded, and grapheme-by-grapheme splitting cost most of that time.
    static func words(of text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty { words.append(String(current)) }
            current = String.UnicodeScalarView()
        }
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let value = scalar.value
                if (0x61...0x7A).contains(value) || (0x30...0x39).contains(value) {
                    current.append(scalar)
                } else if (0x41...0x5A).contains(value) {
                    current.append(Unicode.Scalar(value + 0x20)!)
                } else {
                    flush()
                }
                continue
            }
            let properties = scalar.properties
            switch properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark:
                if !current.isEmpty { current.append(scalar) }
            default:
                if properties.isAlphabetic || properties.numericType != nil {
                    current.appendLowercase(of: scalar)
                } else {
                    flush()
                }
            }
        }
        flush()
        return words
    }

    static func terms(of text: String) -> [String] {
        words(of: text).filter { !stopWords.contains($0) }
    }

    /// Common English function words (pronouns, articles, auxiliaries, prepositions, conjunctions).
    static let stopWords: Set<String> = [
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could",
        "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has",
        "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if",
        "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor",
        "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out",
        "over", "own", "s", "same", "she", "should", "so", "some", "such", "t", "than", "that", "the", "their",
        "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to",
        "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while",
        "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves",
    ]
}

extension String.UnicodeScalarView {
    /// Appends the lower-case form of `scalar` (one or more scalars).
    fileprivate mutating func appendLowercase(of scalar: Unicode.Scalar) {
        append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
    }
}
