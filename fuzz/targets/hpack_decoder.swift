/// HPACKDecoder fed a connection's header blocks (the pieces of the input,
/// sharing one decoder and its dynamic table). Properties: nothing crashes;
/// a block that decodes stays within the list cap; its fields, encoded by
/// HPACKEncoder on a second connection and decoded there, are the same names
/// and values (never-indexed fields stay so); the two sides of that second
/// connection keep equal tables. The option picks the table and list sizes
/// and the encoder's choices.
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = SplitInput(data, size)
    let tableSizes = [4096, 256, 0, 65_536]
    let listSizes = [16_384, 512, 65_536, 4096]
    let tableSize = tableSizes[input.option & 3]
    let listSize = listSizes[input.option >> 2 & 3]
    var decoder = HPACKDecoder(maxTableSize: tableSize, maxHeaderListSize: listSize)
    var encoder = HPACKEncoder(maxTableSize: input.option & 16 == 0 ? 4096 : 256)
    encoder.choices.indexesEveryField = input.option & 8 != 0
    var again = HPACKDecoder(maxHeaderListSize: listSize)
    for (number, block) in input.pieces(of: input.payload).enumerated() {
        // Now and then the peer's table setting changes, as SETTINGS would.
        if number % 3 == 2 { encoder.setMaxTableSize(tableSizes[number / 3 % 4]) }
        guard let fields = try? decoder.decode(block) else { continue }
        if decoder.table.size > decoder.table.maxSize { propertyFailure("table of \(decoder.table.size) bytes over \(decoder.table.maxSize)") }
        let decodedSize = fields.reduce(0) { $0 + $1.size }
        if decodedSize > listSize { propertyFailure("\(decodedSize) bytes decoded over the cap of \(listSize)") }
        var encoded: [UInt8] = []
        encoder.encode(fields, into: &encoded)
        let roundTrip: [HPACKHeaderField]
        do {
            roundTrip = try again.decode(encoded[...])
        } catch {
            propertyFailure("the encoder's block for \(fields.count) fields does not decode: \(error)")
        }
        if roundTrip.count != fields.count || zip(roundTrip, fields).contains(where: {
            $0.name != $1.name || $0.value != $1.value || ($1.neverIndexed && !$0.neverIndexed)
        }) {
            propertyFailure("\(fields.count) fields re-encoded decode to \(roundTrip.count) different ones")
        }
        if again.table.count != encoder.table.count || again.table.size != encoder.table.size
            || (0..<again.table.count).contains(where: { again.table[$0] != encoder.table[$0] }) {
            propertyFailure("the encoder's table and its decoder's differ")
        }
    }
    return 0
}
