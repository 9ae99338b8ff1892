import Testing
import Vocabulary

@Suite struct ClientRuleTests {
    @Test func usersGroupsAndNumbersAreReadFromTheConfigurationForm() {
        #expect(ClientRule("kiosk01") == .user("kiosk01"))
        #expect(ClientRule("uid:1001") == .uid(1001))
        #expect(ClientRule("group:kiosk") == .group("kiosk"))
        #expect(ClientRule("gid:2001") == .gid(2001))
        for rule in [ClientRule.user("a"), .uid(7), .group("g"), .gid(9)] {
            #expect(ClientRule(rule.description) == rule)
        }
    }

    @Test func anythingElseIsRefused() {
        for bad in ["", "uid:", "uid:-1", "uid:x", "gid:", "group:", "-rf", "a b", "a;b", String(repeating: "a", count: 33), "group:a/b"] {
            #expect(ClientRule(bad) == nil, "\(bad)")
        }
    }

    @Test func membershipCountsThePrimaryAndTheSupplementaryGroups() {
        let peer = Peer(uid: 1001, gid: 1001, pid: 42, groups: [2001, 3001])
        #expect(peer.isMember(of: 1001))
        #expect(peer.isMember(of: 3001))
        #expect(!peer.isMember(of: 4001))
    }
}
