import Testing
@testable import EngramBenchmarks

/// The measuring harness only; no assertion here depends on how fast the machine is.
@Suite("Throughput.measure")
struct ThroughputTests {
    @Test("rates are positive and finite, the best is at least the median, repeats hold enough calls")
    func shape() {
        var calls = 0
        let throughput = Throughput.measure(repeats: 3, targetSeconds: 0.001, minimumCalls: 50) {
            calls += 1
            return calls
        }
        #expect(throughput.median > 0 && throughput.median.isFinite)
        #expect(throughput.best >= throughput.median && throughput.best.isFinite)
        #expect(throughput.callsPerRepeat >= 50)
        // A warm-up, at least one calibration round and the per-call estimate (each of at least
        // the minimum), then three repeats.
        #expect(calls >= 3 * 50 + 3 * throughput.callsPerRepeat)
    }

    @Test("the defaults measure five repeats of at least 100 calls", .timeLimit(.minutes(1)))
    func defaults() {
        let throughput = Throughput.measure(targetSeconds: 0.001) { 1 }
        #expect(throughput.callsPerRepeat >= 100)
        #expect(throughput.best >= throughput.median && throughput.median > 0)
    }

    @Test("a slow body still gets the minimum number of calls per repeat")
    func slowBody() {
        let throughput = Throughput.measure(repeats: 1, targetSeconds: 0.0001, minimumCalls: 3) {
            var sum = 0
            for i in 0..<20_000 { sum &+= i &* i }
            return sum
        }
        #expect(throughput.callsPerRepeat >= 3)
        #expect(throughput.best == throughput.median, "one repeat")
    }

    @Test("durations convert to seconds", arguments: [
        (Duration.seconds(2), 2.0), (.milliseconds(250), 0.25), (.nanoseconds(1), 1e-9), (.zero, 0),
    ])
    func durationSeconds(_ duration: Duration, _ seconds: Double) {
        #expect(abs(duration.seconds - seconds) <= 1e-15 * max(1, seconds))
    }
}
