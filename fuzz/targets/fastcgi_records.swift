/// FastCGIDecoder fed an application's answer in reads, as FastCGIAdapter
/// does. Properties: the reads do not change the result (stdout and stderr
/// bytes, the end, the first problem); every data range lies inside the piece
/// just fed; nothing is decoded after END_REQUEST or a problem; nothing
/// crashes. And the encoder's records, cut the same way, decode to the bytes
/// they hold (lengths and padding consistent).
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = SplitInput(data, size)
    let whole = decodeRecords([input.payload])
    let split = decodeRecords(input.pieces(of: input.payload))
    if whole != split { propertyFailure("split reads decoded \(split), whole \(whole)") }

    var encoded: [UInt8] = []
    FastCGIEncoder.appendStream(.stdout, input.payload, last: true, into: &encoded)
    let roundTrip = decodeRecords(input.pieces(of: encoded[...]))
    if roundTrip.stdout != Array(input.payload) || roundTrip.problem != nil {
        propertyFailure("encoded stdout of \(input.payload.count) bytes decoded to \(roundTrip.stdout.count) bytes, \(roundTrip.problem ?? "")")
    }
    return 0
}

struct DecodedRecords: Equatable {
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
    var end: FastCGIDecoder.Event?
    var problem: String?
}

func decodeRecords(_ pieces: [ArraySlice<UInt8>]) -> DecodedRecords {
    var decoder = FastCGIDecoder()
    var result = DecodedRecords()
    for piece in pieces {
        let finished = result.end != nil || result.problem != nil
        let events = decoder.decode(piece)
        if finished, events.contains(where: { if case .invalid = $0 { return false } else { return true } }) {
            propertyFailure("data decoded after the end or a problem")
        }
        for event in events {
            switch event {
            case .stdout(let range), .stderr(let range):
                guard range.lowerBound >= piece.startIndex, range.upperBound <= piece.endIndex, !range.isEmpty else {
                    propertyFailure("range \(range) outside the piece \(piece.startIndex)..<\(piece.endIndex)")
                }
                if case .stdout = event { result.stdout += piece[range] } else { result.stderr += piece[range] }
            case .end:
                if result.end != nil { propertyFailure("two ends") }
                result.end = event
            case .invalid(let problem):
                result.problem = result.problem ?? problem
            }
        }
    }
    return result
}
