import AccessPolicy
import Foundation
import Testing
import Vocabulary

@Suite("Grant evaluation")
struct AccessGrantTests {
    let weekdaysNineToFive = AccessGrant(
        operatorID: "op-1", roomID: "R1", weekdays: [.monday, .tuesday, .wednesday, .thursday, .friday],
        fromMinute: 9 * 60, toMinute: 17 * 60)

    // 2026-11-23 is a Monday.
    @Test(arguments: [
        ("2026-11-23T09:00:00+09:00", GrantEvaluation.open),
        ("2026-11-23T16:59:59+09:00", .open),
        ("2026-11-23T08:59:59+09:00", .closed(.outsideHours)),
        ("2026-11-23T17:00:00+09:00", .closed(.outsideHours)),
        ("2026-11-27T12:00:00+09:00", .open),  // Friday
        ("2026-11-28T12:00:00+09:00", .closed(.outsideHours)),  // Saturday
        ("2026-11-29T12:00:00+09:00", .closed(.outsideHours)),  // Sunday
    ])
    func weekdayHoursAreReadInTokyo(_ iso: String, expected: GrantEvaluation) {
        #expect(weekdaysNineToFive.evaluate(at: instant(iso), in: tokyo) == expected)
    }

    @Test func theZoneDecidesTheWeekdayAndHour() {
        // Monday 08:30 in Tokyo is still Sunday 23:30 in UTC.
        let grant = AccessGrant(operatorID: "op-1", roomID: "R1", weekdays: [.monday], fromMinute: 8 * 60, toMinute: 9 * 60)
        let mondayMorningTokyo = instant("2026-11-22T23:30:00Z")
        #expect(grant.evaluate(at: mondayMorningTokyo, in: tokyo) == .open)
        #expect(grant.evaluate(at: mondayMorningTokyo, in: TimeZone(identifier: "UTC")!) == .closed(.outsideHours))
    }

    @Test(arguments: [
        ("2026-11-27T22:00:00+09:00", GrantEvaluation.open),  // Friday evening
        ("2026-11-27T23:59:00+09:00", .open),
        ("2026-11-28T00:00:00+09:00", .open),  // Saturday morning, Friday's window
        ("2026-11-28T05:59:00+09:00", .open),
        ("2026-11-28T06:00:00+09:00", .closed(.outsideHours)),
        ("2026-11-28T22:30:00+09:00", .closed(.outsideHours)),  // Saturday evening: no window starts Saturday
        ("2026-11-27T05:00:00+09:00", .closed(.outsideHours)),  // Friday morning belongs to Thursday
        ("2026-11-27T21:59:00+09:00", .closed(.outsideHours)),
    ])
    func aWindowAcrossMidnightBelongsToTheDayItStarts(_ iso: String, expected: GrantEvaluation) {
        let nights = AccessGrant(operatorID: "op-1", roomID: "R1", weekdays: [.friday], fromMinute: 22 * 60, toMinute: 6 * 60)
        #expect(nights.evaluate(at: instant(iso), in: tokyo) == expected)
    }

    @Test func theWholeDayIsZeroTo1440() {
        let allDay = AccessGrant(operatorID: "op-1", roomID: "R1", weekdays: [.sunday], fromMinute: 0, toMinute: 1440)
        #expect(allDay.evaluate(at: instant("2026-11-29T00:00:00+09:00"), in: tokyo) == .open)
        #expect(allDay.evaluate(at: instant("2026-11-29T23:59:59+09:00"), in: tokyo) == .open)
        #expect(allDay.evaluate(at: instant("2026-11-30T00:00:00+09:00"), in: tokyo) == .closed(.outsideHours))
    }

    @Test(arguments: [
        ("2026-11-30T23:59:59+09:00", GrantEvaluation.closed(.notYetValid)),
        ("2026-12-01T00:00:00+09:00", .open),
        ("2026-12-31T23:59:59+09:00", .open),
        ("2027-01-01T00:00:00+09:00", .closed(.expired)),
        // 2026-12-31 15:00 UTC is already 2027-01-01 in Tokyo.
        ("2026-12-31T15:00:00Z", .closed(.expired)),
        ("2026-11-30T15:00:00Z", .open),
    ])
    func validityBoundsAreInclusiveLocalDates(_ iso: String, expected: GrantEvaluation) {
        let december = AccessGrant(
            operatorID: "op-1", roomID: "R1", weekdays: Set(Weekday.allCases), fromMinute: 0, toMinute: 1440,
            validFrom: CivilDate(year: 2026, month: 12, day: 1), validTo: CivilDate(year: 2026, month: 12, day: 31))
        #expect(december.evaluate(at: instant(iso), in: tokyo) == expected)
    }

    @Test func invalidGrantsAreRejectedAndNeverOpen() {
        let noDays = AccessGrant(operatorID: "op-1", roomID: "R1", weekdays: [], fromMinute: 0, toMinute: 1440)
        let sameHours = AccessGrant(operatorID: "op-1", roomID: "R1", weekdays: [.monday], fromMinute: 600, toMinute: 600)
        let outOfRange = AccessGrant(operatorID: "op-1", roomID: "R1", weekdays: [.monday], fromMinute: -1, toMinute: 1441)
        let backwards = AccessGrant(
            operatorID: "op-1", roomID: "R1", weekdays: [.monday], fromMinute: 0, toMinute: 1440,
            validFrom: CivilDate(year: 2026, month: 12, day: 2), validTo: CivilDate(year: 2026, month: 12, day: 1))
        #expect(throws: GrantError.self) { try noDays.validate() }
        #expect((try? sameHours.validate()) == nil)
        #expect((try? outOfRange.validate()) == nil)
        #expect((try? backwards.validate()) == nil)
        do { try backwards.validate() } catch { #expect(error.code == .badValidity) }
        let monday = instant("2026-11-23T10:00:00+09:00")
        for grant in [noDays, sameHours, outOfRange] { #expect(grant.evaluate(at: monday, in: tokyo) == .closed(.invalid)) }
        #expect((try? weekdaysNineToFive.validate()) != nil)
    }

    @Test func civilDatesRejectImpossibleDays() {
        #expect(CivilDate(year: 2026, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2028, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2026, month: 13, day: 1) == nil)
        #expect(CivilDate(year: 2026, month: 4, day: 31) == nil)
        #expect(CivilDate(year: 2026, month: 1, day: 2)!.description == "2026-01-02")
        #expect(CivilDate(year: 2026, month: 1, day: 31)! < CivilDate(year: 2026, month: 2, day: 1)!)
    }

    @Test func calendarWeekdaysMapToISO() {
        #expect(Weekday(calendarWeekday: 1) == .sunday)
        #expect(Weekday(calendarWeekday: 2) == .monday)
        #expect(Weekday(calendarWeekday: 7) == .saturday)
        #expect(Weekday(calendarWeekday: 8) == nil)
        #expect(Weekday.monday.previous == .sunday)
    }
}
