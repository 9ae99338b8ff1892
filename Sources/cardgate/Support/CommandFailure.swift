/// A command's refusal: ArgumentParser prints `Error: <description>` and exits 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
