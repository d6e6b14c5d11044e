import Foundation
import Testing
@testable import EngramMemory

/// The arithmetic of recall's fusion (see ``Fusion``), pinned on hand-made evidence.
@Suite("Fusion of the recall stages")
struct FusionTests {
    static let options: RecallOptions = {
        var options = RecallOptions(k: 10)
        options.lexicalWeight = 8
        options.completionWeight = 0.25
        options.hubnessWeight = 1
        options.supersessionMargin = 0.5
        options.supersededPenalty = 0.01
        return options
    }()

    func softMaximum(_ a: Double, _ b: Double) -> Double { log(exp(a) + exp(b)) }

    @Test func denseEvidenceBlendsCompletionAndDiscountsHubness() {
        let e = Fusion.denseEvidence(semantic: 0.6, completion: 0.4, hubness: 0.5, options: Self.options)
        #expect(abs(e - (2 * (0.6 + 0.25 * 0.4) / 1.25 - 0.5)) < 1e-12)
        var off = Self.options
        off.hubnessWeight = 0
        #expect(abs(Fusion.denseEvidence(semantic: 0.6, completion: nil, hubness: 0.5, options: off) - 1.2) < 1e-12)
    }

    @Test func baseIsASoftMaximumOfTheDenseZScoreAndTheLexicalCoverage() {
        var fusion = Fusion(options: Self.options)
        fusion.add([(1, 0.7), (2, 0.3)], as: .dense)
        fusion.add([(2, 9.0), (3, 4.0)], as: .lexical)
        #expect(fusion.candidates == [1, 2, 3])
        fusion.setSemantic([(1, 0.7), (2, 0.3), (3, 0.1)])
        fusion.setCoverage([2: 0.5, 3: 1.0])
        for memory: MemoryID in 1...3 { fusion.setHubness(0.4, of: memory) }
        // Without a dense scale there is no z: the base is the lexical evidence alone.
        #expect(fusion.base(1) == 0)
        #expect(abs(fusion.base(3) - 8) < 1e-12)
        fusion.setDenseScale((mean: 0.0, deviation: 0.1))
        func z(_ cosine: Double) -> Double { (2 * cosine - 0.4 - 0.0) / 0.1 }
        #expect(abs(fusion.z(1)! - z(0.7)) < 1e-6)   // hubness is a Float
        #expect(abs(fusion.base(1) - softMaximum(z(0.7), 0)) < 1e-6)
        #expect(abs(fusion.base(2) - softMaximum(z(0.3), 4)) < 1e-6)
        #expect(abs(fusion.base(3) - softMaximum(z(0.1), 8)) < 1e-6)
    }

    @Test func aWeakLexicalMatchDoesNotOutrankAStrongSemanticOne() {
        // The question's one common word (coverage 0.08) in a memory of average dense evidence,
        // against a paraphrase six deviations up that shares no word.
        var fusion = Fusion(options: Self.options)
        fusion.add([(1, 0.62)], as: .dense)
        fusion.add([(2, 3.5)], as: .lexical)
        fusion.setSemantic([(1, 0.62), (2, 0.25)])
        fusion.setCoverage([2: 0.08])
        fusion.setHubness(0.3, of: 1)
        fusion.setHubness(0.3, of: 2)
        fusion.setDenseScale((mean: 0.2, deviation: 0.1))
        #expect(fusion.ranked(limit: 2).map(\.0) == [1, 2])
    }

    @Test func aNewerVersionTakesTheOlderScoreWhenTheEvidenceIsClose() {
        var index = ScopeIndex(dimension: 4)
        index.addSupersession(newer: 2, older: 1)
        index.addSupersession(newer: 4, older: 3)
        var fusion = Fusion(options: Self.options)
        fusion.add([(1, 0.8), (2, 0.7), (3, 0.9), (4, 0.5)], as: .dense)
        // No lexical evidence, hubness 0, scale (0, 1): each base is softplus(2·cosine).
        fusion.setSemantic([(1, 0.8), (2, 0.7), (3, 0.9), (4, 0.5)])
        fusion.setDenseScale((mean: 0, deviation: 1))
        let base = [1: softMaximum(1.6, 0), 2: softMaximum(1.4, 0), 3: softMaximum(1.8, 0), 4: softMaximum(1.0, 0)]
        fusion.preferNewerVersions(index)
        // 2 is within the margin of 1: it takes 1's score, and 1 keeps its own minus the penalty.
        #expect(abs(fusion.score(2) - base[1]!) < 1e-12)
        #expect(abs(fusion.score(1) - (base[1]! - 0.01)) < 1e-12)
        // 4 is further below 3 than the margin: the evidence prefers the older, nothing changes.
        #expect(abs(fusion.score(3) - base[3]!) < 1e-12)
        #expect(abs(fusion.score(4) - base[4]!) < 1e-12)
        #expect(fusion.ranked(limit: 4).map(\.0) == [3, 2, 1, 4])
        #expect(fusion.ranked(limit: 4).first { $0.0 == 2 }?.2.contains(.supersession) == true)
    }
}
