import Synchronization
import Vocabulary

/// Counts the open connections of one socket, in total and per user id, and refuses those beyond the limits.
///
/// Admission happens on the accepting thread before NIO sees the connection; the ticket is given back when the
/// connection closes.
final class ConnectionGate: Sendable {
    /// Why a connection was not admitted.
    enum Refusal: Sendable, Equatable {
        /// The socket holds as many connections as it may.
        case socketFull
        /// This user id holds as many connections as it may.
        case clientFull
    }

    private struct Counts: ~Copyable {
        var total = 0
        var perUID: [UInt32: Int] = [:]
    }

    private let counts = Mutex(Counts())
    /// The limit for the socket.
    let maximum: Int
    /// The limit for one user id.
    let maximumPerClient: Int

    init(maximum: Int, maximumPerClient: Int) {
        self.maximum = maximum
        self.maximumPerClient = maximumPerClient
    }

    /// Takes a place for `peer`, or says why not.
    func admit(_ peer: Peer) -> Refusal? {
        counts.withLock { counts in
            if counts.total >= maximum { return .socketFull }
            if counts.perUID[peer.uid, default: 0] >= maximumPerClient { return .clientFull }
            counts.total += 1
            counts.perUID[peer.uid, default: 0] += 1
            return nil
        }
    }

    /// Gives back the place of a closed connection of `peer`.
    func release(_ peer: Peer) {
        counts.withLock { counts in
            counts.total -= 1
            let left = counts.perUID[peer.uid, default: 1] - 1
            counts.perUID[peer.uid] = left > 0 ? left : nil
        }
    }

    /// Connections open now.
    var open: Int { counts.withLock { $0.total } }
}
