extension Connection {
    /// What writing the queued answer through the transport came to: the
    /// writing side's outcome, carried out by the loop (`ConnectionDriver.flush`:
    /// timers, the selector, the upstream, the end of the answer), as the
    /// reading side's `Step` is.
    enum WriteStep: Equatable {
        /// Everything queued is sent.
        case sent
        /// The socket takes no more now; `progressed`: some bytes went out first.
        case blocked(progressed: Bool)
        /// The file shrank under us: the promised length cannot be sent.
        case fileShrank
        /// The transport failed (the client went away).
        case failed
    }

    /// Writes the request's `output`, then the file range, then each further part, as far as the socket takes them.
    func writeQueued() -> WriteStep {
        var progressed = false
        let request = self.request
        do {
            writing: while true {
                let more = request.bodyFollows
                while request.outputOffset < request.output.count {
                    let transport = self.transport
                    let result = try request.output[request.outputOffset...].withUnsafeBytes { try transport.write($0, more: more) }
                    guard case .value(let count) = result else { return .blocked(progressed: progressed) }
                    request.outputOffset += count
                    progressed = progressed || count > 0
                }
                while var range = request.file, range.remaining > 0 {
                    if request.gzip != nil {
                        // Compressed: read and compressed a piece at a time, sent through `output`.
                        guard request.compressFilePiece() else { return .fileShrank }
                        continue writing
                    }
                    let result = try transport.sendFile(range.file.fd, offset: &range.offset, count: min(range.remaining, 1 << 30))
                    guard case .value(let count) = result else { request.file = range; return .blocked(progressed: progressed) }
                    if count == 0 { return .fileShrank }
                    progressed = true
                    range.remaining -= count
                    request.file = range
                }
                guard let next = request.takePart() else { break }
                switch next {
                case .bytes(let bytes):
                    request.output = bytes
                    request.outputOffset = 0
                case .file(let open, let offset, let length):
                    request.file = (open, offset, length)
                }
            }
        } catch {
            return .failed
        }
        if request.outputOffset > 1 << 16 {
            request.output.removeFirst(request.outputOffset)
            request.outputOffset = 0
        }
        return .sent
    }
}
