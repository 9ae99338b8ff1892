import Testing
@testable import Gateway

@Suite struct SuspendDetectorTests {
    @Test func aGrowingGapBetweenBootTimeAndMonotonicTimeIsASuspend() {
        var detector = SuspendDetector(boot: 100_000_000_000, monotonic: 90_000_000_000)
        // Both clocks ran 5 s: no suspend (a plain wall-clock change).
        let plainChange = detector.suspended(boot: 105_000_000_000, monotonic: 95_000_000_000)
        #expect(!plainChange)
        // Boot time ran 60 s more than monotonic time: the machine slept.
        let slept = detector.suspended(boot: 170_000_000_000, monotonic: 100_000_000_000)
        #expect(slept)
        // The next check compares with the new gap.
        let afterwards = detector.suspended(boot: 171_000_000_000, monotonic: 101_000_000_000)
        #expect(!afterwards)
    }

    @Test func aGapBelowOneSecondIsNoise() {
        var detector = SuspendDetector(boot: 10_000_000_000, monotonic: 10_000_000_000)
        let noise = detector.suspended(boot: 11_900_000_000, monotonic: 11_000_000_000)
        #expect(!noise)
    }
}
