import Foundation
import EngramFewShot
import EngramKernels

/// A built-in labelled data set of spike rates, so few-shot commands run with no file at hand.
///
/// Each class has a sparse prototype firing-rate profile (a quarter of the neurons fire at 0.3-0.9,
/// the rest at 0.02-0.1); each example perturbs its class profile with independent Gaussian noise
/// (σ = `noise`) and clips the rates to [0, 1]. Deterministic for a given seed.
public enum SyntheticSpikeData {
    public static func make(
        classes: Int = 10, examplesPerClass: Int = 100, featureCount: Int = 64, noise: Double = 0.4, seed: UInt64 = 2017
    ) throws -> LabelledDataset {
        guard classes >= 0 else { throw FewShotError.nonPositiveSize(name: "classes", value: classes) }
        guard examplesPerClass >= 0 else { throw FewShotError.nonPositiveSize(name: "examples per class", value: examplesPerClass) }
        guard noise.isFinite, noise >= 0 else { throw FewShotError.nonPositiveSize(name: "noise", value: -1) }
        var generator = SeededGenerator(seed: seed)
        var features: [Double] = []
        var labels: [Int] = []
        features.reserveCapacity(classes * examplesPerClass * featureCount)
        for label in 0..<classes {
            let profile = (0..<featureCount).map { _ in
                generator.nextUnitDouble() < 0.25
                    ? 0.3 + 0.6 * generator.nextUnitDouble()
                    : 0.02 + 0.08 * generator.nextUnitDouble()
            }
            for _ in 0..<examplesPerClass {
                for rate in profile {
                    features.append(min(max(rate + noise * gaussian(&generator), 0), 1))
                }
                labels.append(label)
            }
        }
        return try LabelledDataset(featureCount: featureCount, features: features, labels: labels)
    }

    /// A standard normal deviate (Box–Muller).
    private static func gaussian(_ generator: inout SeededGenerator) -> Double {
        let u = max(generator.nextUnitDouble(), .leastNormalMagnitude)
        let v = generator.nextUnitDouble()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
