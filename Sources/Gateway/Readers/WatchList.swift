import Synchronization
import Vocabulary

/// Which places hold a card now. The pcscd watchdog probes pcscd only while this is not empty: a pcscd that stops
/// answering while every terminal is locked and no card is anywhere changes nothing (nothing can be unlocked), so the
/// gateway does not wake at rest.
final class WatchList: Sendable {
    private let places = Mutex(Set<String>())
    private let changed: AsyncStream<Void>.Continuation
    /// Yields whenever the list becomes non-empty.
    let becameBusy: AsyncStream<Void>

    init() {
        (becameBusy, changed) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Records whether `place` holds a card.
    func set(_ place: String, holdsCard: Bool) {
        let woke = places.withLock { places -> Bool in
            let wasEmpty = places.isEmpty
            if holdsCard { places.insert(place) } else { places.remove(place) }
            return wasEmpty && !places.isEmpty
        }
        if woke { changed.yield() }
    }

    /// Whether any place holds a card.
    var isBusy: Bool { places.withLock { !$0.isEmpty } }
}
