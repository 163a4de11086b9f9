/// Why a header block could not be decoded. Every case is a connection error
/// of type COMPRESSION_ERROR (RFC 9113 §4.3): the decoder stops at the
/// representation that failed, so its dynamic table may no longer match the
/// peer's, and no later block on the connection can be trusted. (nginx answers
/// a header list over its limit with ENHANCE_YOUR_CALM instead; the
/// connection ends either way.) The decoder itself stays sound: it does not
/// crash or grow after an error, and decoding again is safe.
enum HPACKError: Error, Equatable {
    /// Index 0, or past the static and dynamic tables (§2.3.3, §6.1).
    case invalidIndex
    /// An integer above 2^31 - 1, or one padded with more continuation bytes than such a value needs (§5.1).
    case integerOverflow
    /// The block ends inside an integer or a string.
    case truncated
    /// A Huffman-coded string holds the EOS symbol (§5.2).
    case huffmanEOS
    /// A Huffman-coded string's padding is longer than 7 bits or not the
    /// most significant bits of EOS, all ones (§5.2).
    case huffmanPadding
    /// A dynamic table size update above the SETTINGS_HEADER_TABLE_SIZE we announced (§6.3).
    case tableSizeUpdateTooLarge
    /// A dynamic table size update after a field of the block (§4.2).
    case tableSizeUpdateNotAtStart
    /// More than two size updates at a block's start (§4.2: the smallest, then the final size).
    case tooManyTableSizeUpdates
    /// A string literal announces more bytes than the whole decoded header list may hold.
    case stringTooLong
    /// The decoded fields, name + value + 32 each (RFC 9113 §6.5.2), exceed
    /// the decoder's `maxHeaderListSize`.
    case headerListTooLarge
}
