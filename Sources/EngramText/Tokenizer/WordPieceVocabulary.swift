import Foundation

/// A WordPiece vocabulary: the tokens in id order, their trie, and the special tokens' ids.
///
/// Read from a BERT `vocab.txt`: one token per line, the line number minus one is the id (as
/// Hugging Face's `load_vocab`). A final newline ends the last line; `\r\n` endings and a UTF-8
/// byte-order mark are accepted. Every line is a token, so ids never shift.
struct WordPieceVocabulary: Sendable {
    /// The tokens every BERT vocabulary must have.
    static let requiredSpecialTokens = ["[CLS]", "[SEP]", "[UNK]", "[PAD]"]
    /// The special tokens matched literally in raw text, as the model's `tokenizer.json` lists them.
    static let specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    /// The tokens, indexed by id.
    let tokens: [String]
    /// Every token, for WordPiece look-ups.
    let trie: ScalarTrie
    let clsID: Int32
    let sepID: Int32
    let unkID: Int32
    let padID: Int32
    /// The special tokens present in the vocabulary, with their ids.
    let specialTokenIDs: [(String, Int32)]

    /// Reads and checks a `vocab.txt`.
    /// - Throws: ``TextError/malformedVocabulary(path:detail:)`` when the file is unreadable, empty,
    ///   not UTF-8, has a duplicate token or lacks a required special token; the detail names the line.
    init(contentsOf url: URL) throws(TextError) {
        let path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .malformedVocabulary(path: path, detail: "cannot be read: \(error.localizedDescription)")
        }
        try self.init(tokens: Self.lines(of: data, path: path), source: path)
    }

    /// Checks a vocabulary given as tokens in id order.
    /// - Parameters:
    ///   - tokens: the tokens; token `i` gets id `i`.
    ///   - source: the file (or description) named in errors; token `i` is called line `i + 1`.
    /// - Throws: ``TextError/malformedVocabulary(path:detail:)`` when the vocabulary is empty, too
    ///   large for 32-bit ids, has a duplicate token or lacks a required special token.
    init(tokens: [String], source: String) throws(TextError) {
        guard !tokens.isEmpty else { throw .malformedVocabulary(path: source, detail: "the vocabulary is empty") }
        guard tokens.count <= Int(Int32.max) else {
            throw .malformedVocabulary(path: source, detail: "\(tokens.count) tokens do not fit 32-bit ids")
        }
        do {
            trie = try ScalarTrie(tokens: tokens.map { $0.unicodeScalars.map(\.value) })
        } catch {
            throw .malformedVocabulary(
                path: source,
                detail: "line \(error.second + 1) repeats the token \(tokens[error.second].debugDescription) "
                    + "of line \(error.first + 1)")
        }
        var specials: [String: Int32] = [:]
        for token in Self.specialTokens {
            if let node = trie.descend(from: ScalarTrie.root, along: token.unicodeScalars),
               let id = trie.tokenID(at: node) {
                specials[token] = id
            }
        }
        let missing = Self.requiredSpecialTokens.filter { specials[$0] == nil }
        guard missing.isEmpty,
              let cls = specials["[CLS]"], let sep = specials["[SEP]"],
              let unk = specials["[UNK]"], let pad = specials["[PAD]"]
        else {
            throw .malformedVocabulary(
                path: source, detail: "the vocabulary lacks \(missing.joined(separator: ", "))")
        }
        self.tokens = tokens
        clsID = cls
        sepID = sep
        unkID = unk
        padID = pad
        specialTokenIDs = Self.specialTokens.compactMap { token in specials[token].map { (token, $0) } }
    }

    /// Splits `vocab.txt` into lines, strictly decoded as UTF-8.
    private static func lines(of data: Data, path: String) throws(TextError) -> [String] {
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.last == 0x0A { bytes = bytes.dropLast() }
        guard !bytes.isEmpty else { throw .malformedVocabulary(path: path, detail: "the file is empty") }
        var lines: [String] = []
        for (number, rawLine) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.last == 0x0D ? rawLine.dropLast() : rawLine
            guard let token = String(validating: line, as: UTF8.self) else {
                throw .malformedVocabulary(path: path, detail: "line \(number + 1) is not valid UTF-8")
            }
            lines.append(token)
        }
        return lines
    }
}
