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
    package init(maximum: Int, sampleSize: Int, stepFraction: Double = 0.0625) {
        self.maximum = maximum
        self.sampleSize = Swift.max(16, sampleSize)
        self.stepFraction = stepFraction
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
        let rate = Double(hits) / Double(hits + misses)
        let change = rate - previousHitRate
        let amount = change >= 0 ? stepSize : -stepSize
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
