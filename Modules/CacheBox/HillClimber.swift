/// The hill climber that sizes W-TinyLFU's admission window, after Caffeine's.
///
/// It samples the hit rate over a period of `sampleSize` lookups. When a sample ends it
/// compares the rate with the previous sample's: if the rate did not drop it keeps moving
/// the window in the same direction, otherwise it reverses. Each step decays (×0.98)
/// so the window settles; a large change in hit rate (≥ 5 points) restarts the step at
/// 6.25 % of the capacity, so a change of workload is followed quickly.
@usableFromInline package struct BoxHillClimber: Sendable {
    package static let restartThreshold = 0.05
    package let stepFraction: Double
    /// How many standard errors of the hit-rate difference a drop must exceed to count as
    /// one (0 = any drop reverses, as in Caffeine).
    package let noiseTolerance: Double
    package static let decayRate = 0.98

    @usableFromInline var hits = 0
    @usableFromInline var misses = 0
    package private(set) var previousHitRate = 0.0
    /// The signed next step in weight units (negative shrinks the window).
    package private(set) var stepSize: Double
    /// Lookups per sample.
    @usableFromInline package let sampleSize: Int
    let maximum: Int
    /// Completed samples.
    package private(set) var samples = 0

    /// A climber for a cache bounded at `maximum`, sampling every `sampleSize` lookups.
    package init(maximum: Int, sampleSize: Int, stepFraction: Double = 0.0625, noiseTolerance: Double = 1) {
        self.maximum = maximum
        self.sampleSize = Swift.max(16, sampleSize)
        self.stepFraction = stepFraction
        self.noiseTolerance = noiseTolerance
        stepSize = -stepFraction * Double(maximum)
    }

    /// Records one lookup; returns the window adjustment (weight units, negative to shrink)
    /// when a sample completes, else nil. - Complexity: O(1).
    @inlinable
    package mutating func record(hit: Bool) -> Int? {
        if hit { hits &+= 1 } else { misses &+= 1 }
        if hits &+ misses < sampleSize { return nil }
        return endSample()
    }

    /// The window could not move the way the last step asked (it is at its smallest or
    /// largest): turn around with a full step. Without this, a workload whose hit rate is
    /// flat at the bound (e.g. none at all with a tiny window) would keep pushing against it
    /// while the step decays to nothing.
    @usableFromInline package mutating func bounce() {
        stepSize = (stepSize >= 0 ? -1 : 1) * stepFraction * Double(maximum)
    }

    @usableFromInline
    mutating func endSample() -> Int? {
        let lookups = Double(hits + misses)
        let rate = Double(hits) / lookups
        let change = rate - previousHitRate
        // Two samples of n lookups at the same true rate p differ by about
        // sqrt(2·p·(1−p)/n): a smaller drop is noise, and reversing on it can strand the
        // window on a plateau (hit rate flat over a range of sizes) far from the optimum.
        let pooled = (rate + previousHitRate) / 2
        let noise = noiseTolerance * (2 * pooled * (1 - pooled) / lookups).squareRoot()
        let amount = change >= -noise ? stepSize : -stepSize
        if abs(change) >= Self.restartThreshold {
            stepSize = (amount >= 0 ? 1 : -1) * stepFraction * Double(maximum)
        } else {
            stepSize = Self.decayRate * amount
        }
        previousHitRate = rate
        hits = 0
        misses = 0
        samples &+= 1
        let adjustment = Int(amount.rounded())
        return adjustment == 0 ? nil : adjustment
    }
}
