import Foundation
import Testing
@testable import EngramText

/// The sentence-transformers embeddings of all-MiniLM-L6-v2 for the fixture's texts.
///
/// `Resources/minilm-golden.json` is a verbatim copy of `../shared/fixtures/minilm-golden.json`,
/// produced by sentence-transformers (normalize_embeddings=True) and BertTokenizerFast, float32 CPU.
/// The model is provisioned by the model store on first use; without it these tests fail.
struct MiniLMGolden: Decodable {
    struct Case: Decodable {
        var text: String
        var token_ids: [Int32]
        var embedding: [Float]
    }
    var cases: [Case]

    static let shared: MiniLMGolden = {
        guard let url = Bundle.module.url(forResource: "minilm-golden", withExtension: "json") else {
            fatalError("minilm-golden.json is missing from the test resources")
        }
        do {
            return try JSONDecoder().decode(MiniLMGolden.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read minilm-golden.json: \(error)")
        }
    }()
}

@Suite("all-MiniLM-L6-v2 against sentence-transformers")
struct EncoderGoldenTests {
    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return dot / (na * nb).squareRoot()
    }

    @Test("every fixture text, batched: cosine ≥ 0.9999 and |difference| ≤ 1e-4 per component")
    func batchedEmbeddings() async throws {
        let encoder = try await TestModel.encoder()
        let golden = MiniLMGolden.shared.cases
        let embeddings = encoder.encode(golden.map(\.text))
        for (got, expected) in zip(embeddings, golden) {
            #expect(got.count == expected.embedding.count)
            let cosine = Self.cosine(got, expected.embedding)
            let difference = zip(got, expected.embedding).map { abs($0 - $1) }.max() ?? .infinity
            #expect(cosine >= 0.9999, "\(expected.text.prefix(40)): cosine \(cosine)")
            #expect(difference <= 1e-4, "\(expected.text.prefix(40)): max difference \(difference)")
        }
    }

    @Test("one text at a time gives the batched result")
    func singleMatchesBatch() async throws {
        let encoder = try await TestModel.encoder()
        let texts = MiniLMGolden.shared.cases.prefix(6).map(\.text)
        let batched = encoder.encode(Array(texts))
        for (text, expected) in zip(texts, batched) {
            let single = encoder.encode(text)
            #expect(zip(single, expected).allSatisfy { abs($0 - $1) <= 1e-5 })
        }
    }
}
