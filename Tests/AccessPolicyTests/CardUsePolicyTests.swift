import AccessPolicy
import Foundation
import Testing
import Vocabulary

/// Monday 2026-11-23 10:00 in Tokyo.
private let now = instant("2026-11-23T10:00:00+09:00")
private let terminal = CardPlace.terminal(id: "T01")
private let entry = CardPlace.door(room: "R1", direction: .entry, roomRequiresPIN: false)
private let pinRoomEntry = CardPlace.door(room: "R1", direction: .entry, roomRequiresPIN: true)
private let exit = CardPlace.door(room: "R1", direction: .exit, roomRequiresPIN: true)
private let login = CardPlace.adminStation(.login)
private let pinChange = CardPlace.adminStation(.pinChange)

private func decide(_ card: PresentedCard, at place: CardPlace = terminal, now instant: Date = now, timeZone: TimeZone = tokyo) -> CardUse {
    CardUsePolicy.decide(card, at: place, now: instant, timeZone: timeZone)
}

private let everyPlace: [CardPlace] = [terminal, entry, pinRoomEntry, exit, login, pinChange]

@Suite("Card use policy")
struct CardUsePolicyTests {
    // MARK: Order of precedence

    /// A card wrong in every way, put right one flaw at a time: each step must report the next reason in the order.
    @Test func theRefusalsComeInTheirOrderOfPrecedence() {
        let yesterday = now.addingTimeInterval(-86400)
        var holder = holderRecord(enabled: false, terminals: ["T02"])
        var record = cardRecord(holder: holder, status: .revoked, expiresAt: yesterday, pinMustChange: true)

        #expect(decide(unavailableCard()) == .refused(.unavailable, operatorID: nil))
        #expect(decide(unknownCard()) == .refused(.unknownCard, operatorID: nil))
        #expect(decide(cloneCard(of: "op-1")) == .refused(.notGenuine, operatorID: "op-1"))
        #expect(decide(proven(record)) == .refused(.revoked, operatorID: "op-1"))
        record.status = .suspended
        #expect(decide(proven(record)) == .refused(.suspended, operatorID: "op-1"))
        record.status = .blocked
        #expect(decide(proven(record)) == .refused(.blocked, operatorID: "op-1"))
        record.status = .active
        #expect(decide(proven(record)) == .refused(.expired, operatorID: "op-1"))
        record.expiresAt = cardExpiry
        #expect(decide(proven(record)) == .refused(.pinChangeRequired, operatorID: "op-1"))
        record.pinMustChange = false
        #expect(decide(proven(record)) == .refused(.operatorInactive, operatorID: "op-1"))
        holder.enabled = true
        record.holder = holder
        #expect(decide(proven(record)) == .refused(.notAllowedOnTerminal, operatorID: "op-1"))
        holder.terminals = ["T01"]
        record.holder = holder
        #expect(decide(proven(record)) == .allowed(operatorID: "op-1", needsPIN: true))
    }

    @Test func anUnavailableCheckWinsAtEveryPlace() {
        for place in everyPlace {
            #expect(decide(unavailableCard(), at: place) == .refused(.unavailable, operatorID: nil))
            #expect(decide(unavailableCard(guid: nil), at: place) == .refused(.unavailable, operatorID: nil))
        }
    }

    @Test func anUnknownCardIsNotReportedAsNotGenuine() {
        for place in everyPlace {
            #expect(decide(unknownCard(), at: place).refusal == .unknownCard)
            #expect(decide(cloneCard(), at: place).refusal == .notGenuine)
        }
        #expect(CardRefusal.unknownCard != CardRefusal.notGenuine)
        #expect(decide(unknownCard()).operatorID == nil)
        #expect(decide(cloneCard(of: "op-3")).operatorID == "op-3")
    }

    @Test(arguments: [
        (CardStatus.revoked, CardRefusal.revoked), (.collected, .revoked), (.destroyed, .revoked),
        (.suspended, .suspended), (.blocked, .blocked),
    ])
    func aCardOutOfServiceIsRefusedEverywhere(status: CardStatus, refusal: CardRefusal) {
        let record = cardRecord(holder: holderRecord(administrative: true, grants: [weekdayGrant()]), status: status)
        for place in everyPlace {
            #expect(decide(proven(record), at: place) == .refused(refusal, operatorID: "op-1"))
        }
    }

    @Test func theCardsLifecycleComesBeforeItsExpiry() {
        let expired = now.addingTimeInterval(-1)
        #expect(decide(proven(cardRecord(status: .suspended, expiresAt: expired))).refusal == .suspended)
        #expect(decide(proven(cardRecord(status: .blocked, expiresAt: expired))).refusal == .blocked)
        #expect(decide(proven(cardRecord(status: .active, expiresAt: expired))).refusal == .expired)
    }

    // MARK: Expiry

    @Test func aCardIsExpiredFromTheInstantOfItsExpiry() {
        #expect(decide(proven(cardRecord(expiresAt: now))) == .refused(.expired, operatorID: "op-1"))
        #expect(decide(proven(cardRecord(expiresAt: now.addingTimeInterval(-60)))).refusal == .expired)
        #expect(decide(proven(cardRecord(expiresAt: now.addingTimeInterval(0.001)))) == .allowed(operatorID: "op-1", needsPIN: true))
    }

    @Test func anExpiredCardCannotChangeItsPINEither() {
        #expect(decide(proven(cardRecord(expiresAt: now, pinMustChange: true)), at: pinChange).refusal == .expired)
    }

    @Test func expiryComesBeforeThePINChange() {
        #expect(decide(proven(cardRecord(status: .issued, expiresAt: now))).refusal == .expired)
        #expect(decide(proven(cardRecord(expiresAt: now, pinMustChange: true))).refusal == .expired)
    }

    // MARK: Forced PIN change

    @Test func anIssuedCardOrAPINToChangeIsRefusedExceptForThePINChange() {
        let holder = holderRecord(administrative: true, grants: [weekdayGrant()])
        for record in [cardRecord(holder: holder, status: .issued), cardRecord(holder: holder, pinMustChange: true)] {
            for place in [terminal, entry, exit, login] {
                #expect(decide(proven(record), at: place) == .refused(.pinChangeRequired, operatorID: "op-1"))
            }
            #expect(decide(proven(record), at: pinChange) == .allowed(operatorID: "op-1", needsPIN: true))
        }
    }

    @Test func thePINChangeStillNeedsAnActiveHolder() {
        let record = cardRecord(holder: holderRecord(enabled: false), pinMustChange: true)
        #expect(decide(proven(record), at: pinChange) == .refused(.operatorInactive, operatorID: "op-1"))
        #expect(decide(proven(cardRecord(holder: nil, status: .issued)), at: pinChange).refusal == .operatorInactive)
    }

    @Test func aPINChangeIsOpenToAnyActiveHolder() {
        let plain = cardRecord(holder: holderRecord(terminals: [], administrative: false))
        #expect(decide(proven(plain), at: pinChange) == .allowed(operatorID: "op-1", needsPIN: true))
    }

    // MARK: Holder

    @Test func aMissingHolderIsInactive() {
        #expect(decide(proven(cardRecord(holder: nil, holderID: "op-1"))) == .refused(.operatorInactive, operatorID: "op-1"))
    }

    @Test func aDisabledHolderIsInactiveEverywhere() {
        let record = cardRecord(holder: holderRecord(enabled: false, administrative: true, grants: [weekdayGrant()]))
        for place in everyPlace {
            #expect(decide(proven(record), at: place) == .refused(.operatorInactive, operatorID: "op-1"))
        }
    }

    @Test func aHolderRecordOfAnotherOperatorIsNotTheHolder() {
        let record = cardRecord(holder: holderRecord("op-2"), holderID: "op-1")
        #expect(decide(proven(record)) == .refused(.operatorInactive, operatorID: "op-1"))
    }

    @Test func theHoldersValidityStartsAtValidFromAndEndsBeforeValidTo() {
        let before = cardRecord(holder: holderRecord(validFrom: now.addingTimeInterval(1)))
        let starting = cardRecord(holder: holderRecord(validFrom: now))
        let ending = cardRecord(holder: holderRecord(validTo: now))
        let lastInstant = cardRecord(holder: holderRecord(validTo: now.addingTimeInterval(0.001)))
        let within = cardRecord(holder: holderRecord(validFrom: now.addingTimeInterval(-86400), validTo: now.addingTimeInterval(86400)))
        #expect(decide(proven(before)).refusal == .operatorInactive)
        #expect(decide(proven(starting)) == .allowed(operatorID: "op-1", needsPIN: true))
        #expect(decide(proven(ending)).refusal == .operatorInactive)
        #expect(decide(proven(lastInstant)) == .allowed(operatorID: "op-1", needsPIN: true))
        #expect(decide(proven(within)) == .allowed(operatorID: "op-1", needsPIN: true))
    }

    @Test func anInactiveHolderComesBeforeThePlace() {
        let record = cardRecord(holder: holderRecord(enabled: false, terminals: [], administrative: false, grants: []))
        #expect(decide(proven(record), at: terminal).refusal == .operatorInactive)
        #expect(decide(proven(record), at: entry).refusal == .operatorInactive)
        #expect(decide(proven(record), at: login).refusal == .operatorInactive)
    }

    // MARK: Terminal

    @Test func aTerminalNeedsTheHolderAssignedToIt() {
        #expect(decide(proven(cardRecord(holder: holderRecord(terminals: [])))) == .refused(.notAllowedOnTerminal, operatorID: "op-1"))
        #expect(decide(proven(cardRecord(holder: holderRecord(terminals: ["T02"])))).refusal == .notAllowedOnTerminal)
        #expect(decide(proven(cardRecord(holder: holderRecord(terminals: ["T02", "T01"])))) == .allowed(operatorID: "op-1", needsPIN: true))
        #expect(decide(proven(cardRecord(holder: holderRecord(terminals: ["T02"]))), at: .terminal(id: "T02")) == .allowed(operatorID: "op-1", needsPIN: true))
    }

    @Test func aTerminalAlwaysNeedsThePIN() {
        #expect(decide(proven(cardRecord())) == .allowed(operatorID: "op-1", needsPIN: true))
    }

    // MARK: Door entry

    private func entering(_ grants: [AccessGrant], at place: CardPlace = entry, now instant: Date = now, timeZone: TimeZone = tokyo) -> CardUse {
        decide(proven(cardRecord(holder: holderRecord(terminals: [], grants: grants))), at: place, now: instant, timeZone: timeZone)
    }

    private let saturdays = AccessGrant(operatorID: "op-1", roomID: "R1", weekdays: [.saturday], fromMinute: 0, toMinute: 1440)
    private let fromTomorrow = weekdayGrant(validFrom: CivilDate(year: 2026, month: 11, day: 24))
    private let untilYesterday = weekdayGrant(validTo: CivilDate(year: 2026, month: 11, day: 22))
    private let invalid = AccessGrant(operatorID: "op-1", roomID: "R1", weekdays: [], fromMinute: 0, toMinute: 1440)

    @Test func anOpenGrantLetsTheHolderIn() {
        #expect(entering([weekdayGrant()]) == .allowed(operatorID: "op-1", needsPIN: false))
    }

    @Test func aGrantOutsideItsHoursRefuses() {
        #expect(entering([saturdays]) == .refused(.outsideHours, operatorID: "op-1"))
        #expect(entering([weekdayGrant()], now: instant("2026-11-23T20:00:00+09:00")).refusal == .outsideHours)
        #expect(entering([weekdayGrant()], now: instant("2026-11-23T07:59:59+09:00")).refusal == .outsideHours)
    }

    @Test func aGrantNotYetValidRefuses() {
        #expect(entering([fromTomorrow]) == .refused(.grantNotYetValid, operatorID: "op-1"))
    }

    @Test func anExpiredGrantRefuses() {
        #expect(entering([untilYesterday]) == .refused(.grantExpired, operatorID: "op-1"))
    }

    @Test func noGrantForTheRoomRefuses() {
        let otherRoom = AccessGrant(operatorID: "op-1", roomID: "R2", weekdays: Set(Weekday.allCases), fromMinute: 0, toMinute: 1440)
        #expect(entering([]) == .refused(.noGrant, operatorID: "op-1"))
        #expect(entering([otherRoom]) == .refused(.noGrant, operatorID: "op-1"))
        #expect(entering([weekdayGrant("op-2")]) == .refused(.noGrant, operatorID: "op-1"))
        #expect(entering([invalid]) == .refused(.noGrant, operatorID: "op-1"))
    }

    @Test func theMostTellingClosedGrantIsTheReason() {
        #expect(entering([untilYesterday, fromTomorrow, saturdays]).refusal == .outsideHours)
        #expect(entering([untilYesterday, fromTomorrow]).refusal == .grantNotYetValid)
        #expect(entering([invalid, untilYesterday]).refusal == .grantExpired)
    }

    @Test func oneOpenGrantAmongClosedOnesIsEnough() {
        #expect(entering([untilYesterday, saturdays, weekdayGrant(), fromTomorrow]) == .allowed(operatorID: "op-1", needsPIN: false))
    }

    @Test func theStricterPINRuleWins() {
        #expect(entering([weekdayGrant(requiresPIN: true)]) == .allowed(operatorID: "op-1", needsPIN: true))
        #expect(entering([weekdayGrant(), weekdayGrant(requiresPIN: true)]) == .allowed(operatorID: "op-1", needsPIN: true))
        #expect(entering([weekdayGrant()], at: pinRoomEntry) == .allowed(operatorID: "op-1", needsPIN: true))
        #expect(entering([weekdayGrant()], at: entry) == .allowed(operatorID: "op-1", needsPIN: false))
    }

    @Test func aClosedGrantAskingForThePINDoesNotMakeAnOpenOneAskForIt() {
        let closedWithPIN = AccessGrant(
            operatorID: "op-1", roomID: "R1", weekdays: [.saturday], fromMinute: 0, toMinute: 1440, requiresPIN: true)
        #expect(entering([closedWithPIN, weekdayGrant()]) == .allowed(operatorID: "op-1", needsPIN: false))
    }

    @Test func grantHoursAreReadInTheGivenTimeZone() {
        // Monday 08:30 in Tokyo is Sunday 23:30 in UTC.
        let mondayMorningTokyo = instant("2026-11-22T23:30:00Z")
        #expect(entering([weekdayGrant()], now: mondayMorningTokyo, timeZone: tokyo) == .allowed(operatorID: "op-1", needsPIN: false))
        #expect(entering([weekdayGrant()], now: mondayMorningTokyo, timeZone: TimeZone(identifier: "UTC")!).refusal == .outsideHours)
    }

    @Test func theCardIsCheckedBeforeTheGrants() {
        let record = cardRecord(holder: holderRecord(grants: []), status: .blocked)
        #expect(decide(proven(record), at: entry).refusal == .blocked)
    }

    // MARK: Door exit

    @Test func leavingNeedsNoGrantAndNoPIN() {
        #expect(entering([], at: exit) == .allowed(operatorID: "op-1", needsPIN: false))
        #expect(entering([saturdays, untilYesterday], at: exit) == .allowed(operatorID: "op-1", needsPIN: false))
        #expect(entering([weekdayGrant(requiresPIN: true)], at: exit) == .allowed(operatorID: "op-1", needsPIN: false))
        #expect(entering([], at: exit, now: instant("2026-11-28T03:00:00+09:00")) == .allowed(operatorID: "op-1", needsPIN: false))
    }

    @Test func leavingStillNeedsAUsableCard() {
        #expect(decide(proven(cardRecord(status: .revoked)), at: exit).refusal == .revoked)
        #expect(decide(cloneCard(), at: exit).refusal == .notGenuine)
    }

    // MARK: Admin station

    @Test func loggingInNeedsAnAdministrativeRole() {
        #expect(decide(proven(cardRecord(holder: holderRecord(administrative: false))), at: login) == .refused(.noAdministrativeRole, operatorID: "op-1"))
        #expect(decide(proven(cardRecord(holder: holderRecord(terminals: [], administrative: true))), at: login) == .allowed(operatorID: "op-1", needsPIN: true))
    }

    // MARK: The answer

    @Test func theAnswerGivesItsRefusalAndOperator() {
        let allowed = CardUse.allowed(operatorID: "op-1", needsPIN: false)
        #expect(allowed.refusal == nil && allowed.operatorID == "op-1")
        let refused = CardUse.refused(.revoked, operatorID: "op-2")
        #expect(refused.refusal == .revoked && refused.operatorID == "op-2")
        #expect(CardUse.refused(.unknownCard, operatorID: nil).operatorID == nil)
    }

    @Test func thePresentedCardNamesItsHolderWhenKnown() {
        #expect(unavailableCard().holderID == nil)
        #expect(unknownCard().holderID == nil)
        #expect(cloneCard(of: "op-3").holderID == "op-3")
        #expect(proven(cardRecord(holder: holderRecord("op-4"))).holderID == "op-4")
        #expect(proven(cardRecord(holder: nil, holderID: "op-5")).holderID == "op-5")
    }

    @Test(arguments: [
        (CardRefusal.unavailable, "unavailable"), (.unknownCard, "unknown-card"), (.notGenuine, "not-genuine"),
        (.revoked, "revoked"), (.suspended, "suspended"), (.blocked, "blocked"), (.expired, "card-expired"),
        (.pinChangeRequired, "pin-change-required"), (.operatorInactive, "operator-inactive"),
        (.notAllowedOnTerminal, "not-allowed-on-terminal"), (.noGrant, "no-grant"), (.outsideHours, "outside-hours"),
        (.grantExpired, "grant-expired"), (.grantNotYetValid, "grant-not-yet-valid"),
        (.noAdministrativeRole, "no-administrative-role"), (.holiday, "holiday"),
    ])
    func refusalCodesAreTheHistorysReasonCodes(refusal: CardRefusal, code: String) {
        #expect(refusal.rawValue == code)
    }

    @Test func everyRefusalHasACode() {
        #expect(CardRefusal.allCases.count == 16)
        #expect(Set(CardRefusal.allCases.map(\.rawValue)).count == 16)
    }

    @Test func misuseIsSuspiciousButFaultsAndHoursAreNot() {
        #expect(CardRefusal.unknownCard.isSuspicious)
        #expect(CardRefusal.notGenuine.isSuspicious)
        #expect(CardRefusal.revoked.isSuspicious)
        #expect(!CardRefusal.unavailable.isSuspicious)
        #expect(!CardRefusal.outsideHours.isSuspicious)
        #expect(!CardRefusal.notAllowedOnTerminal.isSuspicious)
    }
}
