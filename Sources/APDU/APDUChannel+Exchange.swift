extension APDUChannel {
    /// Sends a command the way ISO/IEC 7816-4 expects, and returns the whole response.
    ///
    /// - Data longer than 255 bytes goes as a chain of short commands (CLA `|= 0x10` on every block but
    ///   the last). A block answered with anything but `9000` ends the chain and that answer is returned.
    /// - `6Cxx` (wrong Le) → the command is sent again with Le = xx.
    /// - `61xx` (more data) → GET RESPONSE `00 C0 00 00 xx` until the card says something else; the data
    ///   of every block is joined and the final status word returned.
    ///
    /// Errors: ``APDUError`` with ``APDUError/Code/transport`` when the channel fails,
    /// ``APDUError/Code/responseTooShort`` for an answer without a status word,
    /// ``APDUError/Code/tooManyResponseBlocks`` when the card never stops asking to be asked again.
    public func exchange(_ command: CommandAPDU) throws(APDUError) -> ResponseAPDU {
        let blocks = command.chainBlocks()
        for block in blocks.dropLast() {
            let answer = try send(block)
            guard answer.statusWord.isSuccess else { return answer }
        }
        var last = blocks[blocks.count - 1]
        var response = try send(last)
        if case .wrongLength(let exact) = response.statusWord.family {
            last.le = exact
            response = try send(last)
        }
        var data = response.data
        var rounds = 0
        while case .bytesRemaining(let n) = response.statusWord.family {
            rounds += 1
            // 65536 bytes in blocks of at least 1: a card asking past that is broken or hostile.
            guard rounds <= 1024, data.count <= 65536 else {
                throw APDUError(.tooManyResponseBlocks, "the card kept answering 61xx after \(rounds) GET RESPONSE commands and \(data.count) bytes")
            }
            response = try send(CommandAPDU(cla: 0x00, ins: 0xC0, p1: 0x00, p2: 0x00, le: n))
            if case .wrongLength(let exact) = response.statusWord.family {
                response = try send(CommandAPDU(cla: 0x00, ins: 0xC0, p1: 0x00, p2: 0x00, le: exact))
            }
            data += response.data
        }
        return ResponseAPDU(data: data, statusWord: response.statusWord)
    }

    private func send(_ command: CommandAPDU) throws(APDUError) -> ResponseAPDU {
        let bytes = try command.encoded()
        let raw: [UInt8]
        do {
            raw = try transmit(bytes)
        } catch let error as APDUError {
            throw error
        } catch {
            throw APDUError(.transport, "sending \(command) failed: \(error)", underlying: error)
        }
        return try ResponseAPDU(bytes: raw)
    }
}
