import Testing
@testable import Gateway

/// `--hours` of `cardgate room grant`, as the daemon reads it.
@Suite struct AdminHoursTests {
    @Test func dayHoursAndNightShiftsAcrossMidnightAreMinutesSinceMidnight() throws {
        #expect(try AdminDesk.minutes("08:30-17:15") == (510, 1035))
        #expect(try AdminDesk.minutes("22:00-06:00") == (1320, 360), "a start after the end crosses midnight")
        #expect(try AdminDesk.minutes("18:00-24:00") == (1080, 1440))
        #expect(try AdminDesk.minutes("22:00-00:00") == (1320, 1440), "until midnight")
        #expect(try AdminDesk.minutes("00:00-24:00") == (0, 1440), "the whole day")
    }

    @Test func badHoursAreRefused() {
        for text in ["8-17", "08:00", "08:00-17:00-18:00", "8:00-17:00", "08:60-17:00", "25:00-06:00", "24:00-06:00",
                     "24:30-06:00", "08:00-24:01", "08:00-08:00", "00:00-00:00", "08:00-+7:00", "０８:00-17:00"] {
            #expect(throws: (any Error).self, "\(text)") { _ = try AdminDesk.minutes(text) }
        }
    }
}
