/// Calls per second of a closure, measured with a monotonic clock on the calling thread.
public struct Throughput: Sendable, Equatable {
    /// The best of the repeats (the least disturbed by other load on a shared machine).
    public let best: Double
    /// The median of the repeats.
    public let median: Double
    /// Calls in each timed repeat.
    public let callsPerRepeat: Int

    /// Times `body` (one call per invocation): a warm-up, a calibration that sizes each repeat to
    /// last about `targetSeconds`, then `repeats` timed repeats.
    /// - Parameter body: returns a value folded into a checksum so the work cannot be optimised away.
    public static func measure(
        repeats: Int = 5, targetSeconds: Double = 0.2, minimumCalls: Int = 100, _ body: () -> Int
    ) -> Throughput {
        precondition(repeats > 0 && targetSeconds > 0 && minimumCalls > 0, "Throughput.measure: non-positive settings")
        let clock = ContinuousClock()
        var checksum = 0
        func timeCalls(_ calls: Int) -> Double {
            let start = clock.now
            for _ in 0..<calls { checksum &+= body() }
            return (clock.now - start).seconds
        }
        _ = timeCalls(minimumCalls)
        var calls = minimumCalls
        while timeCalls(calls) < targetSeconds / 4 && calls < 1 << 30 { calls *= 4 }
        let perCall = max(timeCalls(calls) / Double(calls), 1e-12)
        calls = max(minimumCalls, Int(targetSeconds / perCall))
        let rates = (0..<repeats).map { _ in Double(calls) / timeCalls(calls) }.sorted()
        blackHole(checksum)
        return Throughput(best: rates.last ?? 0, median: rates[rates.count / 2], callsPerRepeat: calls)
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}

/// Keeps a value alive so the optimiser cannot drop the computation that produced it.
@inline(never)
func blackHole(_ value: Int) {
    if value == .min { print("", terminator: "") }
}
