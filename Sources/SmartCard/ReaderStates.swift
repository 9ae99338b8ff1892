import CPCSCLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An array of `SCARD_READERSTATE` whose reader names are C strings owned by the array until ``free()``.
struct ReaderStates {
    private(set) var states: [SCARD_READERSTATE]
    private var names: [UnsafeMutablePointer<CChar>]

    /// One state per name, each starting from `current` (default: unaware).
    init(names: [String], current: [DWORD]? = nil) {
        self.names = names.map { strdup($0)! }
        self.states = zip(self.names.indices, self.names).map { index, name in
            var state = SCARD_READERSTATE()
            state.szReader = UnsafePointer(name)
            state.dwCurrentState = current?[index] ?? PCSC.State.unaware
            return state
        }
    }

    /// Calls `body` with a pointer to the states and their count.
    mutating func withStates<R>(_ body: (UnsafeMutablePointer<SCARD_READERSTATE>, DWORD) -> R) -> R {
        let count = DWORD(states.count)
        return states.withUnsafeMutableBufferPointer { body($0.baseAddress!, count) }
    }

    /// Frees the C strings; the states must not be used afterwards.
    mutating func free() {
        names.forEach(releaseCString)
        names = []
        states = []
    }
}

private func releaseCString(_ string: UnsafeMutablePointer<CChar>) {
    free(string)
}
