import Foundation
import GatewayAPI

/// Reads standard input on a thread of its own (a blocking read must not hold a task thread) and hands
/// out decoded keys. The digits go only to the lock-screen model: never to a log or the screen.
enum KeyboardReader {
    /// Starts the reading thread; `onKey` is called for every key, `onEnd` once if input ends.
    static func start(onKey: @escaping @Sendable (LockScreenModel.Key) -> Void, onEnd: @escaping @Sendable () -> Void) {
        let thread = Thread {
            var decoder = KeyDecoder()
            var buffer = [UInt8](repeating: 0, count: 64)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress!, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else {
                    onEnd()
                    return
                }
                for key in decoder.feed(buffer[0..<count]) + decoder.flush() { onKey(key) }
                for index in buffer.indices { buffer[index] = 0 }  // do not keep typed digits around
            }
        }
        thread.name = "cardgate-keyboard"
        thread.start()
    }
}
