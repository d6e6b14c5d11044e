import Foundation
import Testing
@testable import EngramText

/// Reading `vocab.txt` and rejecting malformed vocabularies with the line at fault.
@Suite("WordPiece vocabulary files")
struct TokenizerVocabularyTests {
    static let specials = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n"

    /// Writes `bytes` to a fresh temporary file and returns its URL.
    static func file(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("engram-vocab-\(UUID().uuidString).txt")
        try Data(bytes).write(to: url)
        return url
    }

    static func file(_ text: String) throws -> URL { try file(Array(text.utf8)) }

    /// The detail of the `malformedVocabulary` error that loading `url` throws, or `nil`.
    static func loadingError(_ url: URL) -> (path: String, detail: String)? {
        do {
            _ = try WordPieceTokenizer(vocabularyFile: url)
            return nil
        } catch let .malformedVocabulary(path, detail) {
            return (path, detail)
        } catch {
            return nil
        }
    }

    @Test("a vocab.txt gives line n the id n − 1")
    func loadsFile() throws {
        let url = try Self.file(Self.specials + "hello\n##s\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let tokenizer = try WordPieceTokenizer(vocabularyFile: url)
        #expect(tokenizer.vocabularySize == 6)
        #expect(tokenizer.encode("hellos") == [2, 4, 5, 3])
    }

    @Test("CRLF line ends, a byte-order mark and a missing final newline are accepted")
    func lenientLineEnds() throws {
        let url = try Self.file([0xEF, 0xBB, 0xBF] + Array("[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nhello".utf8))
        defer { try? FileManager.default.removeItem(at: url) }
        let tokenizer = try WordPieceTokenizer(vocabularyFile: url)
        #expect(tokenizer.vocabularySize == 5)
        #expect(tokenizer.padID == 0)
        #expect(tokenizer.encode("hello") == [2, 4, 3])
    }

    @Test("an empty file is rejected")
    func emptyFile() throws {
        for content in ["", "\n"] {
            let url = try Self.file(content)
            defer { try? FileManager.default.removeItem(at: url) }
            let error = try #require(Self.loadingError(url))
            #expect(error.path == url.path)
            #expect(error.detail.contains("empty"))
        }
    }

    @Test("a missing file is rejected with its path")
    func missingFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("engram-no-such-vocab.txt")
        let error = try #require(Self.loadingError(url))
        #expect(error.path == url.path)
        #expect(error.detail.contains("cannot be read"))
    }

    @Test("a vocabulary without [UNK] is rejected")
    func missingUnknown() throws {
        let url = try Self.file("[PAD]\n[CLS]\n[SEP]\nhello\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(Self.loadingError(url))
        #expect(error.detail.contains("[UNK]"))
        #expect(throws: TextError.self) { try WordPieceTokenizer(vocabulary: ["[PAD]", "[CLS]", "[SEP]"]) }
        #expect(throws: TextError.self) { try WordPieceTokenizer(vocabulary: []) }
    }

    @Test("a repeated token is rejected with both lines")
    func duplicateToken() throws {
        let url = try Self.file(Self.specials + "hello\nworld\nhello\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(Self.loadingError(url))
        #expect(error.detail.contains("line 7"))
        #expect(error.detail.contains("line 5"))
    }

    @Test("invalid UTF-8 is rejected with its line")
    func invalidUTF8() throws {
        let url = try Self.file(Array((Self.specials + "ok\n").utf8) + [0x66, 0xFF, 0x0A])
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(Self.loadingError(url))
        #expect(error.detail.contains("line 6"))
    }
}
