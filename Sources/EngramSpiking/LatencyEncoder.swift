/// Latency (time-to-first-spike) coding: each feature in [0, 1] fires once, strong features early
/// and weak ones late. snntorch's `spikegen.latency`.
///
/// Spike times (see `spikeTimes(_:)`), for a feature x, threshold θ, time constant τ and
/// `firstSpikeTime` f, in time steps:
/// - logarithmic (default, an RC circuit charged by x reaching θ): with `d = max(x, θ + ε)`,
///   `time = τ · ln(d / (d − θ)) + f`. Features at or below θ saturate at `d = θ + ε`, the
///   latest time. With `normalize`, times are rescaled so the latest lands on step `numSteps − 1`:
///   `time = (time − f) · (numSteps − f − 1) / max(time − f) + f`.
/// - `linear`: `time = min(τ · (1 − x), τ · (1 − θ)) + f`, so features below θ fire at
///   `τ · (1 − θ) + f`. With `normalize`, `τ = numSteps − 1 − f`, so x = 1 fires at step f and
///   x = 0 at (about) the last step.
///
/// The step a neuron fires at is the time rounded half to even (`torch.round`). A neuron whose
/// rounded time is past `numSteps − 1` is an error unless `bypass` is set, in which case it does
/// not fire at all; with `clip`, features below θ do not fire either. Output values are
/// `max(onTarget, offTarget)` at a spike and `max(0, offTarget)` elsewhere (snntorch's
/// `clamp(spikes · on_target, min: off_target)`). With `interpolate` the train is instead a ramp
/// towards each spike (see `encode(_:)`).
///
/// What it reproduces of snntorch 1.0 (`latency`, `latency_code`, `latency_code_log`,
/// `latency_code_linear`, `latency_interpolate`, `_latency_errors`): every parameter below with
/// its default, the formulas above, the rounding, the bounds check and its `bypass`, the
/// validation (features in [0, 1], `0 < threshold < 1`, `tau > 0`,
/// `0 ≤ firstSpikeTime ≤ numSteps − 1`, `normalize` needs `numSteps`, no `numSteps` needs
/// `bypass`), and the quirks of `interpolate` (it ignores `clip`; a rounded time of exactly
/// `numSteps` leaves a ramp that never reaches the target).
///
/// Where it deliberately differs:
/// - One feature vector in, a `SpikeTrain` of `Float` `(numSteps, n)` out; no batch dimensions.
/// - Spike times are computed in `Double` (snntorch: `float32`), so a time within float32
///   rounding of a half step may round to the other neighbour than in snntorch.
/// - `numSteps` is `nil` when not given (snntorch uses `False`/0); a given value must be ≥ 1.
/// - `epsilon` must be positive (snntorch does not check; ε ≤ 0 would divide by zero).
/// - `interpolate` tests the ramp ratio `t / s > 1` before mapping it onto
///   `[offTarget, onTarget]`, rather than the mapped value `> onTarget`; the two agree except
///   where rounding in that affine map would flip the comparison at the spike step itself.
/// - Inputs are validated with typed errors naming the offending index.
public struct LatencyEncoder: Sendable, Equatable {
    /// Time steps T of the train (snntorch `num_steps`); `nil` lets `bypass` choose
    /// `round(max time) + 1`.
    public let numSteps: Int?
    /// Features below it fire last, or not at all with `clip` (snntorch `threshold`, default 0.01).
    public let threshold: Double
    /// The time constant τ of the log or linear code (snntorch `tau`, default 1).
    public let tau: Double
    /// Shifts every spike time by this many steps (snntorch `first_spike_time`, default 0).
    public let firstSpikeTime: Int
    /// The value at a spike (snntorch `on_target`, default 1).
    public let onTarget: Double
    /// The floor of every value (snntorch `off_target`, default 0).
    public let offTarget: Double
    /// Removes the spikes of features below `threshold` (snntorch `clip`, default false).
    public let clip: Bool
    /// Rescales the times so the latest falls on step `numSteps − 1` (snntorch `normalize`).
    public let normalize: Bool
    /// Uses the linear code instead of the logarithmic one (snntorch `linear`, default false).
    public let linear: Bool
    /// Produces ramps towards each spike instead of spikes (snntorch `interpolate`).
    public let interpolate: Bool
    /// Drops out-of-range spikes instead of failing, and allows `numSteps == nil`
    /// (snntorch `bypass`, default false).
    public let bypass: Bool
    /// The margin ε above `threshold` at which the log code saturates (snntorch `epsilon`, 1e-7).
    public let epsilon: Double

    /// Creates a latency encoder with snntorch's parameters and defaults.
    ///
    /// - Parameters:
    ///   - numSteps: Time steps, at least 1, or `nil` (then `bypass` must be set and
    ///     `normalize` must not).
    ///   - threshold: In the open interval (0, 1); default 0.01.
    ///   - tau: Greater than 0 and finite; default 1. Ignored by the linear code with `normalize`.
    ///   - firstSpikeTime: At least 0 and at most `numSteps − 1`; default 0.
    ///   - onTarget: Finite as a `Float`; default 1.
    ///   - offTarget: Finite as a `Float`, at most `onTarget` when `interpolate`; default 0.
    ///   - clip: Silence features below `threshold`; default false.
    ///   - normalize: Fit the times into `numSteps`; default false.
    ///   - linear: Linear instead of logarithmic code; default false.
    ///   - interpolate: Ramps instead of spikes; default false.
    ///   - bypass: Drop out-of-range spikes instead of failing; default false.
    ///   - epsilon: Greater than 0 and finite; default 1e-7.
    /// - Throws: `SpikingError.invalidParameter` naming the first parameter that breaks its range.
    public init(
        numSteps: Int?,
        threshold: Double = 0.01,
        tau: Double = 1,
        firstSpikeTime: Int = 0,
        onTarget: Double = 1,
        offTarget: Double = 0,
        clip: Bool = false,
        normalize: Bool = false,
        linear: Bool = false,
        interpolate: Bool = false,
        bypass: Bool = false,
        epsilon: Double = 1e-7
    ) throws(SpikingError) {
        if let numSteps {
            guard numSteps > 0 else {
                throw .invalidParameter(name: "numSteps", requirement: "must be at least 1 or nil, got \(numSteps)")
            }
        } else {
            guard bypass else {
                throw .invalidParameter(
                    name: "numSteps", requirement: "must be given unless bypass is set (then round(max time) + 1)")
            }
            guard !normalize else {
                throw .invalidParameter(name: "numSteps", requirement: "must be given when normalize is set")
            }
        }
        guard threshold > 0, threshold < 1 else {
            throw .invalidParameter(name: "threshold", requirement: "must lie in the open interval (0, 1), got \(threshold)")
        }
        guard tau > 0, tau.isFinite else {
            throw .invalidParameter(name: "tau", requirement: "must be finite and greater than 0, got \(tau)")
        }
        guard firstSpikeTime >= 0 else {
            throw .invalidParameter(name: "firstSpikeTime", requirement: "cannot be negative, got \(firstSpikeTime)")
        }
        if let numSteps, firstSpikeTime > numSteps - 1 {
            throw .invalidParameter(
                name: "firstSpikeTime",
                requirement: "must be at most numSteps-1 (\(numSteps - 1)), got \(firstSpikeTime)")
        }
        // The targets end up in a Float train, so they must be finite as Floats.
        for (value, name) in [(onTarget, "onTarget"), (offTarget, "offTarget")] where !Float(value).isFinite {
            throw .invalidParameter(name: name, requirement: "must be finite as a Float, got \(value)")
        }
        if interpolate, onTarget < offTarget {
            throw .invalidParameter(
                name: "onTarget", requirement: "must be at least offTarget (\(offTarget)) to interpolate, got \(onTarget)")
        }
        guard epsilon > 0, epsilon.isFinite else {
            throw .invalidParameter(name: "epsilon", requirement: "must be finite and greater than 0, got \(epsilon)")
        }
        self.numSteps = numSteps
        self.threshold = threshold
        self.tau = tau
        self.firstSpikeTime = firstSpikeTime
        self.onTarget = onTarget
        self.offTarget = offTarget
        self.clip = clip
        self.normalize = normalize
        self.linear = linear
        self.interpolate = interpolate
        self.bypass = bypass
        self.epsilon = epsilon
    }
}
