import Foundation
import Testing

extension AdminReaderTests {
    /// Issue 8: separation of duties, enforced by the daemon for whoever is logged in at the admin station.
    @Suite(.serialized) struct AdminSeparationOfDutiesTests {
        static let adminPIN = "482915"
        static let secondPIN = "593017"
        static let initialPIN = "735194"
        static let newPIN = "918273"
        static let wrongPIN = "000111"

        /// The roles of operator `id`, as `cardgate operator show --json` prints them.
        func roles(_ site: AdminInstallation, _ id: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Set<String> {
            let shown = try #require(try adminJSON(try site.cardgate(["operator", "show", id], ["--json"]), sourceLocation: sourceLocation) as? [String: Any],
                                     sourceLocation: sourceLocation)
            return Set((shown["operator"] as? [String: Any])?["roles"] as? [String] ?? [])
        }

        /// The operator ids the registry holds.
        func operatorIDs(_ site: AdminInstallation) throws -> Set<String> {
            let people = try #require(try adminJSON(try site.cardgate(["operator", "list"], ["--json"])) as? [[String: Any]])
            return Set(people.compactMap { $0["id"] as? String })
        }

        /// Acceptance 3: a PIN administrator without the administrator role cannot create an operator with a role
        /// beyond `operator` (administrator, supervisor): refused, nothing created. An administrator can. The PIN
        /// administrator may not touch rooms or the ledger either.
        @Test func onlyAnAdministratorGivesRolesBeyondOperator() throws {
            let site = try AdminInstallation()
            defer { site.shutDown() }
            let first = try site.makeCard("pa-001")
            let second = try site.makeCard("pa-002")
            try site.initialise(first.path, roles: ["administrator"], pin: Self.adminPIN)
            try site.startDaemon()
            try site.login(pin: Self.adminPIN)
            // An administrator (who is also a PIN administrator) creates a second, plain PIN administrator.
            expectDone(try site.cardgate(["operator", "add", "pa-002"], ["--name", "田中二郎", "--role", "pin-admin"]))
            try site.issue(second.path, to: "pa-002", initialPIN: Self.initialPIN, pin: Self.secondPIN)

            try site.switchAdministrator(to: second.path, pin: Self.secondPIN)
            expectRefused(try site.cardgate(["operator", "add", "adm-02"], ["--name", "高橋", "--role", "administrator"]), "needs the administrator role")
            expectRefused(try site.cardgate(["operator", "add", "sup-02"], ["--name", "伊藤", "--role", "supervisor"]), "needs the administrator role")
            expectRefused(try site.cardgate(["operator", "show", "adm-02"]), "no operator with id adm-02")
            #expect(try operatorIDs(site) == ["pa-001", "pa-002"], "nothing was created")
            // What a PIN administrator may do: operators with the operator role only.
            expectDone(try site.cardgate(["operator", "add", "op-01"], ["--name", "渡辺", "--role", "operator"]))
            expectRefused(try site.cardgate(["operator", "update", "op-01"], ["--role", "operator", "--role", "supervisor"]), "needs the administrator role")
            #expect(try roles(site, "op-01") == ["operator"])
            // Rooms and the ledger are the administrator's.
            expectRefused(try site.cardgate(["room", "add", "R1"], ["--name", "電算室"]), "needs the administrator role")
            expectRefused(try site.cardgate(["ledger", "add", "T01"], ["--kind", "terminal", "--name", "窓口端末1", "--location", "1階"]), "needs the administrator role")
            expectRefused(try site.cardgate(["ledger", "list"], ["--json"]), "may not view the equipment ledger")

            try site.switchAdministrator(to: first.path, pin: Self.adminPIN)
            expectDone(try site.cardgate(["operator", "add", "adm-02"], ["--name", "高橋", "--role", "administrator"]))
            #expect(try roles(site, "adm-02") == ["administrator"])
            expectDone(try site.cardgate(["operator", "update", "op-01"], ["--role", "operator", "--role", "supervisor"]))
            #expect(try roles(site, "op-01") == ["operator", "supervisor"])

            let events = try site.historyEvents()
            #expect(hasEvent(events, "admin.operator", actor: "pa-002", result: "failure") {
                eventDetail($0, "record") == "adm-02" && eventDetail($0, "reason")?.hasPrefix("not done") == true
            }, "the refused add is recorded as not done")
            #expect(hasEvent(events, "admin.room", actor: "pa-002", result: "denied"))
            #expect(hasEvent(events, "ledger.added", actor: "pa-002", result: "denied"))
        }

        /// Acceptance 4: nobody changes their own roles, neither widening nor narrowing them, even an administrator
        /// who may change everyone else's.
        @Test func nobodyChangesTheirOwnRoles() throws {
            let site = try AdminInstallation()
            defer { site.shutDown() }
            let admin = try site.makeCard("admin")
            try site.initialise(admin.path, roles: ["administrator"], pin: Self.adminPIN)
            try site.startDaemon()
            try site.login(pin: Self.adminPIN)
            expectDone(try site.cardgate(["operator", "add", "op-01"], ["--name", "渡辺", "--role", "operator"]))
            expectDone(try site.cardgate(["operator", "update", "op-01"], ["--role", "operator", "--role", "supervisor"]))
            #expect(try roles(site, "op-01") == ["operator", "supervisor"], "an administrator changes someone else's roles")

            expectRefused(try site.cardgate(["operator", "update", "pa-001"], ["--role", "pin-admin", "--role", "administrator", "--role", "supervisor"]),
                          "may not change their own roles")
            expectRefused(try site.cardgate(["operator", "update", "pa-001"], ["--role", "pin-admin"]), "may not change their own roles")
            #expect(try roles(site, "pa-001") == ["administrator", "pin-admin"])
            let status = try #require(try adminJSON(try site.cardgate(["admin", "status"], ["--json"])) as? [String: Any])
            #expect(Set(status["roles"] as? [String] ?? []) == ["administrator", "pin-admin"], "\(status)")
        }

        /// Acceptance 5: a PIN administrator cannot issue a card to themself, nor reset or unblock their own card; the
        /// same acts for someone else are allowed.
        @Test func aPINAdministratorDoesNotIssueResetOrUnblockTheirOwnCard() throws {
            let site = try AdminInstallation()
            defer { site.shutDown() }
            site.pins = [Self.adminPIN, Self.initialPIN, Self.newPIN]
            let admin = try site.makeCard("admin")
            let spare = try site.makeCard("spare")
            try site.initialise(admin.path, pin: Self.adminPIN)
            try site.startDaemon()
            try site.login(pin: Self.adminPIN)
            expectDone(try site.cardgate(["operator", "add", "op-01"], ["--name", "渡辺", "--role", "operator"]))
            func cardCount(_ holder: String) throws -> Int {
                try #require(try adminJSON(try site.cardgate(["card", "list"], ["--operator", holder, "--json"])) as? [[String: Any]]).count
            }
            func pinState(_ guid: String) throws -> [String: Any] {
                let shown = try #require(try adminJSON(try site.cardgate(["card", "show", guid], ["--json"])) as? [String: Any])
                return try #require(shown["pin"] as? [String: Any])
            }

            try site.withCard(spare.path) {
                expectRefused(try site.cardgate(["card", "issue"], ["--operator", "pa-001", "--pin-stdin"], input: Self.initialPIN + "\n"),
                              "may not issue a card to themself")
                #expect(try cardCount("pa-001") == 1, "no second card for pa-001")
                expectRefused(try site.cardgate(["card", "show", spare.guid]), "is not registered")
                // The same card to someone else: issued.
                expectDone(try site.cardgate(["card", "issue"], ["--operator", "op-01", "--pin-stdin"], input: Self.initialPIN + "\n"))
            }
            #expect(try cardCount("op-01") == 1)

            expectRefused(try site.cardgate(["card", "reset-pin", admin.guid, "--pin-stdin"], input: Self.newPIN + "\n"),
                          "may not reset the PIN of their own card")
            #expect(try pinState(admin.guid)["mustChange"] as? Bool == false, "the own PIN was not reset")
            expectDone(try site.cardgate(["card", "reset-pin", spare.guid, "--pin-stdin"], input: Self.newPIN + "\n"))

            // pa-001's own card gets blocked by wrong PINs at the admin reader while the session is open.
            for remaining in [4, 3, 2, 1] {
                expectRefused(try site.cardgate(["admin", "login"], ["--pin-stdin"], input: Self.wrongPIN + "\n"),
                              "\(remaining) attempt\(remaining == 1 ? "" : "s") left")
            }
            expectRefused(try site.cardgate(["admin", "login"], ["--pin-stdin"], input: Self.wrongPIN + "\n"), "blocked")
            #expect(try pinState(admin.guid)["blocked"] as? Bool == true)
            expectRefused(try site.cardgate(["card", "unblock", admin.guid]), "may not unblock their own card")
            #expect(try pinState(admin.guid)["blocked"] as? Bool == true, "the own card stays blocked")

            // Each refused act is recorded as not done, with pa-001 as the actor.
            let events = try site.historyEvents()
            let notDone = { (e: [String: Any]) in eventDetail(e, "reason")?.hasPrefix("not done") == true }
            #expect(hasEvent(events, "admin.card.issued", actor: "pa-001", result: "failure", card: spare.guid, where: notDone))
            #expect(hasEvent(events, "auth.pin.reset", actor: "pa-001", result: "failure", card: admin.guid, where: notDone))
            #expect(hasEvent(events, "auth.pin.unblocked", actor: "pa-001", result: "failure", card: admin.guid, where: notDone))
            #expect(hasEvent(events, "admin.card.issued", actor: "pa-001", card: spare.guid) { eventDetail($0, "record") == "op-01" })
        }
    }
}
