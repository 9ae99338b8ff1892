import APDU
import Vocabulary

/// Command chaining, `61xx` (GET RESPONSE) and `6Cxx` (resend with the right Le) in
/// `APDUChannel.exchange(_:)`, against a card whose every answer comes from the fuzzer.
///
/// Input: one byte for the command's data length (×3, so that long commands are chained), one for its Le
/// (0 = none, 255 = 256), then the card's answers as ``FuzzInput`` chunks.
///
/// Contract: the exchange ends after a bounded number of commands, every one of them a well-formed command
/// APDU; it fails only with ``APDUError`` of code transport (the card went silent), responseTooShort (the
/// last answer had no status word) or tooManyResponseBlocks; GET RESPONSE asks for exactly what the card
/// announced; a returned response carries the last answer's status word (never `61xx` once the whole chain
/// was accepted) and ends with the last answer's data.
public enum ExchangeTarget: FuzzTarget {
    public static let name = "exchange"

    /// 1024 GET RESPONSE rounds at most, each possibly resent once after `6Cxx`, plus the first resend.
    static let maximumExtraCommands = 2 + 2 * 1025

    public static func run(_ input: [UInt8]) throws(ContractViolation) {
        var reader = FuzzInput(input)
        let command = makeCommand(dataSelector: reader.byte(), leSelector: reader.byte())
        let channel = FuzzChannel(answers: reader.chunks())
        let blocks = command.chainBlocks()
        let outcome: Result<ResponseAPDU, APDUError>
        do {
            outcome = .success(try channel.exchange(command))
        } catch {
            outcome = .failure(error)
        }
        let sent = channel.commands, given = channel.givenAnswers
        try require(sent.count <= blocks.count + maximumExtraCommands, "the exchange sent \(sent.count) commands")
        try checkCommands(sent, blocks: blocks, answers: given)
        switch outcome {
        case .failure(let error):
            switch error.code {
            case .transport:
                try require(sent.count == given.count + 1, "transport error while the card still had answers")
            case .responseTooShort:
                try require((given.last?.count ?? 2) < 2, "responseTooShort after an answer with a status word")
            case .tooManyResponseBlocks:
                break
            default:
                throw ContractViolation("the exchange failed with \(error.code): \(error)")
            }
        case .success(let response):
            guard let last = given.last, last.count >= 2 else {
                throw ContractViolation("a response without any answer of 2 bytes or more")
            }
            let lastAnswer = ResponseAPDU(data: Array(last.dropLast(2)), statusWord: StatusWord(sw1: last[last.count - 2], sw2: last[last.count - 1]))
            try require(response.statusWord == lastAnswer.statusWord, "response status \(response.statusWord) is not the last answer's \(lastAnswer.statusWord)")
            try require(response.data.suffix(lastAnswer.data.count) == lastAnswer.data[...], "response data does not end with the last answer's data")
            try require(response.data.count <= given.reduce(0) { $0 + max(0, $1.count - 2) }, "response has more data than the card sent")
            if sent.count >= blocks.count, case .bytesRemaining = response.statusWord.family {
                throw ContractViolation("the exchange returned \(response.statusWord) instead of asking for the rest")
            }
        }
    }

    static func makeCommand(dataSelector: UInt8, leSelector: UInt8) -> CommandAPDU {
        let data = (0..<(Int(dataSelector) * 3)).map { UInt8(truncatingIfNeeded: $0) }
        let le: Int? = leSelector == 0 ? nil : leSelector == 255 ? 256 : Int(leSelector)
        return CommandAPDU(cla: 0x00, ins: 0xCB, p1: 0x3F, p2: 0xFF, data: data, le: le)
    }

    /// The chain goes out block by block as `chainBlocks()` made it; after it, each command is the last
    /// block again with the Le a `6Cxx` named, or GET RESPONSE with the Le the previous answer named.
    static func checkCommands(_ sent: [[UInt8]], blocks: [CommandAPDU], answers: [[UInt8]]) throws(ContractViolation) {
        for (index, bytes) in sent.enumerated() {
            let command: CommandAPDU
            do {
                command = try CommandAPDU(bytes: bytes)
            } catch {
                throw ContractViolation("command \(index) \(Hex.encode(bytes)) is not a command APDU: \(error)")
            }
            if index < blocks.count {
                try require(command == blocks[index], "command \(index) is not block \(index) of the chain")
                continue
            }
            let previous = answers[index - 1]
            let sw = previous.count >= 2 ? StatusWord(sw1: previous[previous.count - 2], sw2: previous[previous.count - 1]) : nil
            switch sw?.family {
            case .wrongLength(exact: let n):
                try require(command.le == n, "after \(sw!) the command was resent with Le \(String(describing: command.le))")
            case .bytesRemaining(let n):
                try require(command.ins == 0xC0 && command.le == n, "after \(sw!) the exchange sent \(command), not GET RESPONSE Le=\(n)")
            default:
                throw ContractViolation("command \(index) \(command) follows an answer that asked for nothing")
            }
        }
    }

    public static func seeds() throws -> [Seed] {
        let card = try SeedCard()
        // The probe's answers one command at a time, each after the command that asked for it.
        var seeds: [Seed] = []
        var answers: [[UInt8]] = []
        for (index, answer) in card.probeAnswers.enumerated() {
            answers.append(answer)
            let sw = answer.suffix(2)
            if sw.first == 0x61 { continue }  // GET RESPONSE follows: the same exchange goes on
            seeds.append(Seed("probe-exchange-\(index)", [5, 255] + FuzzInput.join(answers)))
            answers = []
        }
        seeds.append(Seed("wrong-length-then-more", [0, 255] + FuzzInput.join([[0x6C, 0x10], [1, 2, 0x61, 0x02], [3, 4, 0x90, 0x00]])))
        seeds.append(Seed("chained-command", [120, 10] + FuzzInput.join([[0x90, 0x00], [0x90, 0x00], [0x61, 0x03], [1, 2, 3, 0x90, 0x00]])))
        seeds.append(Seed("chain-refused", [120, 0] + FuzzInput.join([[0x68, 0x84]])))
        return seeds
    }
}
