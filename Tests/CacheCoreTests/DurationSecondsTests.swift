import CacheCore
import Testing

/// `Duration` <-> `Double` seconds (issue 18, case 4): correctly rounded, exact for a
/// manual clock, and never trapping on NaN, infinities or huge values.
@Suite struct DurationSecondsTests {
    @Test func millisecondsBecomeTheNearestDoubleNotTheOffByOneULPValue() {
        #expect(Duration.milliseconds(300).cacheSeconds == 0.3, "was 0.30000000000000004")
        #expect(Duration.milliseconds(100).cacheSeconds == 0.1)
        #expect(Duration.milliseconds(-300).cacheSeconds == -0.3)
        #expect(Duration.microseconds(1).cacheSeconds == 1e-6)
        #expect(Duration.nanoseconds(1).cacheSeconds == 1e-9)
        #expect(Duration(secondsComponent: 0, attosecondsComponent: 1).cacheSeconds == 1e-18)
        #expect(Duration.seconds(1_000_000).cacheSeconds == 1e6)
        #expect(Duration.zero.cacheSeconds == 0)
    }

    /// Every `(seconds, attoseconds)` checked against the decimal text's own correctly
    /// rounded parse (`Double(String)` rounds correctly).
    @Test func conversionMatchesTheCorrectlyRoundedDecimalParse() {
        var rng = SplitMix64(seed: 18)
        for _ in 0..<20_000 {
            let seconds = Int64(bitPattern: rng.next()) >> Int64(rng.next() % 64)
            let atto = Int64(rng.next() % 1_000_000_000_000_000_000)
            let d = Duration(secondsComponent: seconds, attosecondsComponent: atto)
            let text = decimal(seconds: seconds, atto: atto)
            #expect(d.cacheSeconds == Double(text)!, "\(text)")
        }
        // Whole milliseconds, microseconds and nanoseconds (the exact-division path and the
        // general one) and whole seconds.
        for _ in 0..<20_000 {
            let n = Int64(bitPattern: rng.next()) >> Int64(20 + rng.next() % 44)
            for d in [Duration.milliseconds(n), .microseconds(n), .nanoseconds(n), .seconds(n)] {
                let (s, a) = d.components
                #expect(d.cacheSeconds == Double(decimal(seconds: s, atto: a))!, "\(d)")
            }
        }
    }

    @Test func doubleToDurationRoundsToTheNearestAttosecondAndClampsInsteadOfTrapping() throws {
        // The Double 0.3 is 0.299999999999999988897769753748… s: the nearest attosecond of that.
        #expect(Duration.cacheSeconds(0.3) == Duration(secondsComponent: 0, attosecondsComponent: 299_999_999_999_999_989))
        #expect(Duration.cacheSeconds(1.5) == .milliseconds(1_500))
        #expect(Duration.cacheSeconds(-2.5) == .milliseconds(-2_500))
        #expect(Duration.cacheSeconds(.nan) == .zero)
        let top = Duration(secondsComponent: .max, attosecondsComponent: 999_999_999_999_999_999)
        #expect(Duration.cacheSeconds(.infinity) == top)
        #expect(Duration.cacheSeconds(1e300) == top)
        #expect(Duration.cacheSeconds(-.infinity) == Duration(secondsComponent: .min, attosecondsComponent: 0))
        #expect(Duration.cacheSeconds(.leastNonzeroMagnitude) == .zero)
        for x in [0.3, 1.5, 1e6 + 0.3, 1_700_000_000.123, 1.0 / 128, -7.25] {
            #expect(Duration.cacheSeconds(x).cacheSeconds == x, "round trip of \(x)")
        }
        #expect(throws: CacheConfigurationError.self) { try Duration(cacheCheckedSeconds: .nan, setting: "ageLimit") }
        #expect(throws: CacheConfigurationError.self) { try Duration(cacheCheckedSeconds: -.infinity, setting: "ageLimit") }
        #expect(throws: CacheConfigurationError.self) { try Duration(cacheCheckedSeconds: 1e19, setting: "ageLimit") }
        #expect(try Duration(cacheCheckedSeconds: 90, setting: "ageLimit") == .seconds(90))
    }

    @Test func millisecondsRoundUpSoNothingExpiresEarly() {
        #expect(Duration.milliseconds(300).cacheMillisecondsRoundedUp == 300)
        #expect(Duration.microseconds(300_001).cacheMillisecondsRoundedUp == 301)
        #expect(Duration.microseconds(1_500).cacheMillisecondsRoundedUp == 2)
        #expect(Duration.nanoseconds(1).cacheMillisecondsRoundedUp == 1)
        #expect(Duration.microseconds(-1_500).cacheMillisecondsRoundedUp == -1)
        #expect(Duration(secondsComponent: .max, attosecondsComponent: 0).cacheMillisecondsRoundedUp == .max)
    }

    @Test func manualClockAdvancesExactlyNotWithDoubleDrift() {
        let clock = ManualCacheClock()
        for _ in 0..<3 { clock.advance(by: .milliseconds(100)) }
        #expect(clock.now() == 0.3, "0.1 + 0.1 + 0.1 would be 0.30000000000000004")
        #expect(clock.nowDuration() == .milliseconds(300))
        clock.set(1_000_000.25)
        #expect(clock.now() == 1_000_000.25)
        clock.advance(by: .seconds(-2))
        #expect(clock.now() == 999_998.25)
        clock.set(.nan)
        #expect(clock.now() == 0)
        clock.set(.infinity)
        clock.advance(by: .seconds(10))   // saturates, no trap
        #expect(clock.now() > 9e18)
    }

    func decimal(seconds: Int64, atto: Int64) -> String {
        // value = seconds + atto / 10^18 exactly (either sign convention), as decimal text.
        let total = Int128(seconds) * 1_000_000_000_000_000_000 + Int128(atto)
        let (whole, frac) = total.magnitude.quotientAndRemainder(dividingBy: 1_000_000_000_000_000_000)
        let f = String(frac)
        return (total < 0 ? "-" : "") + "\(whole)." + String(repeating: "0", count: 18 - f.count) + f
    }
}
