import Testing
@testable import Gateway

@Suite struct SuspendDetectorTests {
    @Test func aGrowingGapBetweenBootTimeAndMonotonicTimeIsASuspend() {
        var detector = SuspendDetector(boot: 100_000_000_000, monotonic: 90_000_000_000)
        // Both clocks ran 5 s: no suspend (a plain wall-clock change).
        #expect(!detector.suspended(boot: 105_000_000_000, monotonic: 95_000_000_000))
        // Boot time ran 60 s more than monotonic time: the machine slept.
        #expect(detector.suspended(boot: 170_000_000_000, monotonic: 100_000_000_000))
        // The next check compares with the new gap.
        #expect(!detector.suspended(boot: 171_000_000_000, monotonic: 101_000_000_000))
    }

    @Test func aGapBelowOneSecondIsNoise() {
        var detector = SuspendDetector(boot: 10_000_000_000, monotonic: 10_000_000_000)
        #expect(!detector.suspended(boot: 11_900_000_000, monotonic: 11_000_000_000))
    }
}
