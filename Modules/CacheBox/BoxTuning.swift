/// The adaptive policy's parameters (package-level: tests and `cachectl replay` experiments
/// set them; users get the defaults).
@usableFromInline package struct BoxTuning: Sendable {
    /// Initial window share of the capacity.
    package var initialWindow = 0.01
    /// Protected share of the main space.
    package var protectedShare = 0.8
    /// Climber sample period, in multiples of the capacity.
    package var climberSample = 10.0
    /// The shortest climber sample, in lookups: below a few thousand the sampled hit rate
    /// is too noisy (σ ≈ 0.01 at 3,000) for small caches to climb on.
    package var climberMinimumSample = 3_000
    /// Climber step, as a share of the capacity.
    package var climberStep = 0.0625
    /// Standard errors a sampled hit-rate drop must exceed before the climber reverses.
    package var climberNoise = 1.0
    /// Sketch aging period, in multiples of its design capacity.
    package var agingPeriod = 10.0
    /// The smallest design capacity of the sketch.
    package var sketchMinimum = 16
    /// The share of the capacity a cache fills before its sketch counts for good: the
    /// counts of the warm-up (every key is new then) are forgotten at that point.
    package var sketchStart = 1.0
    /// Conservative sketch increments.
    package var conservative = true
    /// Frequency at and above which a losing candidate is still admitted 1 time in `jitterOdds`.
    @usableFromInline package var warmCandidate = 6
    @usableFromInline package var jitterOdds: UInt64 = 128

    package init() {}
}
