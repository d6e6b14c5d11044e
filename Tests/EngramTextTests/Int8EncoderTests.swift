import EngramText
import Testing

/// The int8 encoder's tolerance, stated: against sentence-transformers' float32 embeddings of the
/// golden texts, each cosine ≥ 0.98 and their mean ≥ 0.995. (Measured on 2026-12-03 over the 65
/// golden texts, which include control characters, CJK and empty strings: worst 0.9849, mean 0.9959;
/// over LoCoMo's 5,882 turns `engram bench encode` measured worst 0.9916, mean 0.9969 against
/// Engram's own float32 path.)
@Suite("all-MiniLM-L6-v2 in int8")
struct Int8EncoderTests {
    @Test("every golden text within cosine 0.98 of sentence-transformers, 0.995 on average")
    func goldenAgreement() async throws {
        let encoder = try await TestModel.int8Encoder()
        let golden = MiniLMGolden.shared.cases
        let embeddings = encoder.encode(golden.map(\.text))
        var sum = 0.0, worst = 1.0
        for (got, expected) in zip(embeddings, golden) {
            let cosine = EncoderGoldenTests.cosine(got, expected.embedding)
            sum += cosine
            worst = min(worst, cosine)
            #expect(cosine >= 0.98, "\(expected.text.prefix(40)): cosine \(cosine)")
            let norm = got.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - 1) <= 1e-5, "\(expected.text.prefix(40)): norm \(norm)")
        }
        let mean = sum / Double(golden.count)
        print("int8 vs sentence-transformers over \(golden.count) golden texts: mean cosine \(mean), worst \(worst)")
        #expect(mean >= 0.995)
    }

    @Test("one text at a time gives the batched result, and the precision is reported")
    func singleMatchesBatch() async throws {
        let encoder = try await TestModel.int8Encoder()
        #expect(encoder.precision == .int8)
        let texts = MiniLMGolden.shared.cases.prefix(6).map(\.text)
        let batched = encoder.encode(Array(texts))
        for (text, expected) in zip(texts, batched) {
            #expect(zip(encoder.encode(text), expected).allSatisfy { abs($0 - $1) <= 1e-5 })
        }
    }

    @Test("a paraphrase stays nearer its source than an unrelated sentence, as in float32")
    func rankingKept() async throws {
        let int8 = try await TestModel.int8Encoder()
        let float32 = try await TestModel.encoder()
        let texts = ["Caroline went hiking in the mountains last weekend.",
                     "Last weekend Caroline hiked up a mountain.",
                     "The quarterly budget review is due on Friday."]
        for encoder in [int8, float32] {
            let e = encoder.encode(texts)
            let near = EncoderGoldenTests.cosine(e[0], e[1]), far = EncoderGoldenTests.cosine(e[0], e[2])
            #expect(near > far + 0.3, "\(encoder.precision): \(near) vs \(far)")
        }
    }

    @Test("threads below 1 are refused with a message")
    func badThreads() async throws {
        let directory = try await TestModel.directory()
        #expect(throws: TextError.invalidInput("threads must be at least 1, got 0")) {
            try SentenceEncoder(directory: directory, precision: .int8, threads: 0)
        }
    }
}
