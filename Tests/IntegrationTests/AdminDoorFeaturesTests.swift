import Foundation
import Testing

extension AdminReaderTests {
    /// The door features administered through the daemon: room rules (two-person, occupancy limit), grants across
    /// midnight, with an escort or closed on holidays, the holiday calendar, and visitors announced at a door. Each
    /// step is a new `cardgate` process; the rules and roles are the daemon's, and every act is in the history.
    @Suite(.serialized) struct AdminDoorFeaturesTests {
        static let adminPIN = "482915"
        static let initialPIN = "735194"
        static let supervisorPIN = "650279"

        /// `room add` with the new rules, `room set` changing and removing them, and their refusals.
        @Test func anAdministratorSetsTheTwoPersonRuleAndTheOccupancyLimitOfARoom() throws {
            let site = try AdminInstallation()
            defer { site.shutDown() }
            let admin = try site.makeCard("admin")
            try site.initialise(admin.path, roles: ["administrator"], pin: Self.adminPIN)
            try site.startDaemon()
            try site.login(pin: Self.adminPIN)
            func room(_ id: String) throws -> [String: Any]? {
                let rooms = try #require(try adminJSON(try site.cardgate(["room", "list"], ["--json"])) as? [[String: Any]])
                return rooms.first { $0["id"] as? String == id }
            }
            func limit(_ room: [String: Any]?) -> Int? { room?["occupancyLimit"] as? Int }

            expectDone(try site.cardgate(["room", "add", "R1"], ["--name", "電算室", "--two-person", "--occupancy-limit", "4"]))
            var r1 = try room("R1")
            #expect(r1?["twoPerson"] as? Bool == true && limit(r1) == 4, "\(r1 ?? [:])")
            expectRefused(try site.cardgate(["room", "add", "R2"], ["--name", "会議室", "--occupancy-limit", "0"]), "1–9999")
            #expect(try room("R2") == nil, "nothing was added")

            expectDone(try site.cardgate(["room", "set", "R1"], ["--no-two-person", "--no-occupancy-limit"]))
            r1 = try room("R1")
            #expect(r1?["twoPerson"] as? Bool == false && limit(r1) == nil, "\(r1 ?? [:])")
            expectDone(try site.cardgate(["room", "set", "R1"], ["--two-person", "--occupancy-limit", "2", "--requires-pin"]))
            r1 = try room("R1")
            #expect(r1?["twoPerson"] as? Bool == true && limit(r1) == 2 && r1?["requiresPIN"] as? Bool == true, "\(r1 ?? [:])")
            #expect(r1?["name"] as? String == "電算室", "the name stays")

            expectRefused(try site.cardgate(["room", "set", "R1"]), "nothing to change")
            expectRefused(try site.cardgate(["room", "set", "R1"], ["--occupancy-limit", "3", "--no-occupancy-limit"]), "not both")
            expectRefused(try site.cardgate(["room", "set", "R1"], ["--occupancy-limit", "10000"]), "1–9999")
            expectRefused(try site.cardgate(["room", "set", "R9"], ["--two-person"]), "R9")
            #expect(limit(try room("R1")) == 2, "the refusals changed nothing")

            let events = try site.historyEvents()
            let changes = events.filter { $0["kind"] as? String == "admin.room" && eventDetail($0, "operation") == "change" }
            #expect(changes.filter { $0["result"] as? String == "success" }.count == 2, "\(changes)")
            #expect(changes.contains { $0["result"] as? String == "denied" && eventDetail($0, "reason") == "not done: unknown-room" && $0["place"] as? String == "R9" },
                    "\(changes)")
        }

        /// `room grant` with a night shift across midnight, `--escort` and `--exclude-holidays`; bad hours refused.
        @Test func aGrantCrossesMidnightAndCarriesTheEscortAndHolidayRules() throws {
            let site = try AdminInstallation()
            defer { site.shutDown() }
            let admin = try site.makeCard("admin")
            try site.initialise(admin.path, roles: ["administrator"], pin: Self.adminPIN)
            try site.startDaemon()
            try site.login(pin: Self.adminPIN)
            expectDone(try site.cardgate(["room", "add", "R1"], ["--name", "電算室"]))

            let granted = try site.cardgate(["room", "grant", "R1"], ["--operator", "pa-001", "--days", "mon,fri", "--hours", "22:00-06:00",
                                                                     "--escort", "--exclude-holidays"])
            expectDone(granted)
            #expect(granted.output.contains("across midnight"), "\(granted.output)")
            expectDone(try site.cardgate(["room", "grant", "R1"], ["--operator", "pa-001", "--hours", "18:00-24:00"]))
            expectRefused(try site.cardgate(["room", "grant", "R1"], ["--operator", "pa-001", "--hours", "24:00-06:00"]), "24:00")
            expectRefused(try site.cardgate(["room", "grant", "R1"], ["--operator", "pa-001", "--hours", "08:00-08:00"]), "same time")
            expectRefused(try site.cardgate(["room", "grant", "R1"], ["--operator", "pa-001", "--hours", "22:00-6:00"]), "HH:MM-HH:MM")

            let grants = try #require(try adminJSON(try site.cardgate(["room", "grants"], ["--room", "R1", "--json"])) as? [[String: Any]])
            try #require(grants.count == 2, "\(grants)")
            #expect(grants[0]["fromMinute"] as? Int == 1320 && grants[0]["toMinute"] as? Int == 360, "\(grants[0])")
            #expect(grants[0]["escort"] as? Bool == true && grants[0]["excludeHolidays"] as? Bool == true, "\(grants[0])")
            #expect(grants[1]["toMinute"] as? Int == 1440 && grants[1]["escort"] as? Bool == false, "\(grants[1])")
            let text = try site.cardgate(["room", "grants"], ["--room", "R1"])
            #expect(text.output.contains("22:00-06:00") && text.output.contains("escort") && text.output.contains("no-holidays"), "\(text.output)")
        }

        /// `holiday import` sends the file to the daemon, which checks every line: a bad line refuses the whole file with
        /// its number and nothing imported; `holiday list` shows the year and the city's closing days. A supervisor may
        /// list but not import.
        @Test func theHolidayCalendarIsImportedWholeOrNotAtAll() throws {
            let site = try AdminInstallation()
            defer { site.shutDown() }
            let admin = try site.makeCard("admin")
            let supervisor = try site.makeCard("supervisor")
            try site.initialise(admin.path, roles: ["administrator"], pin: Self.adminPIN)
            try site.startDaemon()
            try site.login(pin: Self.adminPIN)

            let good = site.folder.appendingPathComponent("syukujitsu.csv")
            try Data("国民の祝日・休日月日,国民の祝日・休日名称\r\n2027/1/1,元日\r\n2027/1/11,成人の日\r\n2027/2/11,建国記念の日\r\n".utf8).write(to: good)
            let bad = site.folder.appendingPathComponent("broken.csv")
            try Data("国民の祝日・休日月日,国民の祝日・休日名称\n2028/1/1,元日\n2028/13/1,十三月\n2028/2/11,建国記念の日\n".utf8).write(to: bad)

            let refused = try site.cardgate(["holiday", "import", bad.path])
            expectRefused(refused, "line 3")
            #expect(refused.output.contains("nothing was imported"), "\(refused.output)")
            expectRefused(try site.cardgate(["holiday", "import", site.folder.appendingPathComponent("missing.csv").path]), "cannot be read")

            let imported = try site.cardgate(["holiday", "import", good.path])
            expectDone(imported)
            #expect(imported.output.contains("2027-01-01 to 2027-02-11") && imported.output.contains("3 added"), "\(imported.output)")
            let again = try site.cardgate(["holiday", "import", good.path])
            #expect(again.status == 0 && again.output.contains("0 added") && again.output.contains("3 unchanged"), "\(again.output)")

            let list = try #require(try adminJSON(try site.cardgate(["holiday", "list"], ["--year", "2027", "--json"])) as? [String: Any])
            let days = try #require(list["holidays"] as? [[String: Any]], "\(list)")
            #expect(days.compactMap { $0["day"] as? String } == ["2027-01-01", "2027-01-11", "2027-02-11"], "\(days)")
            #expect((list["closingDays"] as? [String])?.contains("12-29") == true, "\(list)")
            let none = try site.cardgate(["holiday", "list"], ["--year", "2028"])
            #expect(none.status == 0 && !none.output.contains("2028-01-01") && none.output.contains("city closing days"), "the refused file imported nothing: \(none.output)")
            expectRefused(try site.cardgate(["holiday", "list"], ["--year", "27"]), "--year")

            // A supervisor lists the calendar but may not import one.
            expectDone(try site.cardgate(["operator", "add", "sup-01"], ["--name", "佐々木", "--role", "supervisor"]))
            try site.issue(supervisor.path, to: "sup-01", initialPIN: Self.initialPIN, pin: Self.supervisorPIN)
            try site.switchAdministrator(to: supervisor.path, pin: Self.supervisorPIN)
            expectDone(try site.cardgate(["holiday", "list"]))
            expectRefused(try site.cardgate(["holiday", "import", good.path]), "needs the administrator role")

            let events = try site.historyEvents()
            let imports = events.filter { $0["kind"] as? String == "admin.room" && eventDetail($0, "operation") == "holiday-import" }
            #expect(imports.filter { $0["result"] as? String == "success" }.count == 2, "\(imports)")
            #expect(imports.contains { $0["result"] as? String == "success" && eventDetail($0, "count") == "3" && eventDetail($0, "record") == "2027-01-01..2027-02-11" },
                    "\(imports)")
            #expect(imports.contains { $0["result"] as? String == "denied" && $0["actor"] as? String == "pa-001" && eventDetail($0, "reason") == "not done: invalid-input" },
                    "\(imports)")
            #expect(events.contains { $0["kind"] as? String == "admin.room" && $0["actor"] as? String == "sup-01" && $0["result"] as? String == "denied" },
                    "the supervisor's refused import")
        }

        /// `room visitor` announces a visitor at a configured door of the room; an unknown door, a door of another room and
        /// bad names are refused; an operator-only holder has no session to do it with.
        @Test func aVisitorIsAnnouncedAtADoorOfTheRoom() throws {
            let site = try AdminInstallation()
            defer { site.shutDown() }
            let admin = try site.makeCard("admin")
            try site.initialise(admin.path, roles: ["administrator"], pin: Self.adminPIN)
            try site.startDaemon()
            try site.login(pin: Self.adminPIN)
            expectDone(try site.cardgate(["room", "add", "R1"], ["--name", "電算室"]))

            let announced = try site.cardgate(["room", "visitor", "R1"], ["--door", "D1", "--name", "佐藤一郎", "--organisation", "保守業者株式会社"])
            expectDone(announced)
            #expect(announced.output.contains("D1"), "\(announced.output)")
            expectRefused(try site.cardgate(["room", "visitor", "R1"], ["--door", "D9", "--name", "佐藤一郎", "--organisation", "保守業者"]), "D9")
            expectRefused(try site.cardgate(["room", "visitor", "R2"], ["--door", "D1", "--name", "佐藤一郎", "--organisation", "保守業者"]), "opens room R1")
            expectRefused(try site.cardgate(["room", "visitor", "R1"], ["--door", "D1", "--name", "  ", "--organisation", "保守業者"]), "--name")
            expectRefused(try site.cardgate(["room", "visitor", "R1"], ["--door", "D1", "--name", "佐藤一郎"]), "--organisation")

            let events = try site.historyEvents()
            let visits = events.filter { $0["kind"] as? String == "admin.room" && eventDetail($0, "operation") == "visitor" }
            #expect(visits.contains {
                $0["result"] as? String == "success" && $0["actor"] as? String == "pa-001" && eventDetail($0, "door") == "D1"
                    && eventDetail($0, "visitor") == "佐藤一郎" && eventDetail($0, "organisation") == "保守業者株式会社"
            }, "\(visits)")
            #expect(visits.filter { $0["result"] as? String == "denied" }.count == 2, "D9 and the door of another room: \(visits)")
        }
    }
}
