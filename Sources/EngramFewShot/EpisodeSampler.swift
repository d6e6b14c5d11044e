import EngramKernels

/// The examples chosen for one episode: dataset row indices and their episode-local labels.
///
/// Support rows come class by class (K per class); queries likewise (Q per class). Episode-local
/// labels `0..<way` follow the order in which the classes were drawn.
public struct EpisodeDraw: Sendable, Equatable {
    public internal(set) var classes: [Int] = []
    public internal(set) var supportRows: [Int] = []
    public internal(set) var supportLabels: [Int] = []
    public internal(set) var queryRows: [Int] = []
    public internal(set) var queryLabels: [Int] = []
}

/// Draws N-way K-shot Q-query episodes from a ``LabelledDataset``: N distinct classes uniformly at
/// random, then K + Q distinct examples of each without replacement (K to the support, Q to the
/// queries). Reproducible from the generator's seed; draws reuse their storage.
public struct EpisodeSampler: Sendable {
    public let dataset: LabelledDataset
    public let way: Int
    public let shot: Int
    public let queriesPerClass: Int

    /// Positions into `dataset.classes` of the classes with enough examples.
    private var eligibleClasses: [Int]
    private var scratch: [Int] = []

    /// - Throws: ``FewShotError/nonPositiveSize(name:value:)`` for a non-positive way or shot or a
    ///   negative query count, or ``FewShotError/notEnoughClasses(way:eligible:examplesNeeded:)``
    ///   when fewer than `way` classes have `shot + queriesPerClass` examples.
    public init(dataset: LabelledDataset, way: Int, shot: Int, queriesPerClass: Int) throws {
        guard way > 0 else { throw FewShotError.nonPositiveSize(name: "way", value: way) }
        guard shot > 0 else { throw FewShotError.nonPositiveSize(name: "shot", value: shot) }
        guard queriesPerClass >= 0 else { throw FewShotError.nonPositiveSize(name: "queries per class", value: queriesPerClass) }
        let needed = shot + queriesPerClass
        eligibleClasses = dataset.examplesByClass.indices.filter { dataset.examplesByClass[$0].count >= needed }
        guard eligibleClasses.count >= way else {
            throw FewShotError.notEnoughClasses(way: way, eligible: eligibleClasses.count, examplesNeeded: needed)
        }
        self.dataset = dataset
        self.way = way
        self.shot = shot
        self.queriesPerClass = queriesPerClass
    }

    /// Draws the next episode into `draw`, reusing its storage.
    public mutating func sample(into draw: inout EpisodeDraw, using generator: inout SeededGenerator) {
        draw.classes.removeAll(keepingCapacity: true)
        draw.supportRows.removeAll(keepingCapacity: true)
        draw.supportLabels.removeAll(keepingCapacity: true)
        draw.queryRows.removeAll(keepingCapacity: true)
        draw.queryLabels.removeAll(keepingCapacity: true)

        Self.partialShuffle(&eligibleClasses, first: way, using: &generator)
        for local in 0..<way {
            let position = eligibleClasses[local]
            draw.classes.append(dataset.classes[position])
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: dataset.examplesByClass[position])
            Self.partialShuffle(&scratch, first: shot + queriesPerClass, using: &generator)
            for k in 0..<shot {
                draw.supportRows.append(scratch[k])
                draw.supportLabels.append(local)
            }
            for q in shot..<shot + queriesPerClass {
                draw.queryRows.append(scratch[q])
                draw.queryLabels.append(local)
            }
        }
    }

    /// Fisher–Yates on the first `count` positions: they become a uniform sample without replacement.
    private static func partialShuffle(_ values: inout [Int], first count: Int, using generator: inout SeededGenerator) {
        for i in 0..<count {
            let j = i + Int(generator.next(upperBound: UInt64(values.count - i)))
            values.swapAt(i, j)
        }
    }
}

extension Episode {
    /// Copies a draw's rows, as float32, into this episode.
    /// - Precondition: the episode was made for the sampler's sizes.
    public mutating func fill(from draw: EpisodeDraw, of dataset: LabelledDataset) {
        precondition(draw.supportRows.count == supportCount && draw.queryRows.count == queryCount,
                     "Episode.fill: the draw has a different size")
        precondition(dataset.featureCount == featureCount, "Episode.fill: feature counts differ")
        let n = featureCount
        for (i, row) in draw.supportRows.enumerated() {
            for f in 0..<n { support[i * n + f] = Float(dataset.features[row * n + f]) }
            supportLabels[i] = draw.supportLabels[i]
        }
        for (i, row) in draw.queryRows.enumerated() {
            for f in 0..<n { queries[i * n + f] = Float(dataset.features[row * n + f]) }
            queryLabels[i] = draw.queryLabels[i]
        }
    }
}
