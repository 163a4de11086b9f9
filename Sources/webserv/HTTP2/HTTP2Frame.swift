/// RFC 9113's vocabulary: frame types, flags, error codes, settings, and a
/// frame's 9-byte header. Plain integers underneath, so reading a frame
/// allocates nothing beyond its payload.

/// The connection preface a client sends first (RFC 9113 §3.4).
let http2ClientPreface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

/// A frame's type (§6). Unknown types are kept as their byte: they are ignored (§5.5).
struct HTTP2FrameType: RawRepresentable, Equatable {
    var rawValue: UInt8
    init(rawValue: UInt8) { self.rawValue = rawValue }

    static let data = Self(rawValue: 0x0)
    static let headers = Self(rawValue: 0x1)
    static let priority = Self(rawValue: 0x2)
    static let rstStream = Self(rawValue: 0x3)
    static let settings = Self(rawValue: 0x4)
    static let pushPromise = Self(rawValue: 0x5)
    static let ping = Self(rawValue: 0x6)
    static let goAway = Self(rawValue: 0x7)
    static let windowUpdate = Self(rawValue: 0x8)
    static let continuation = Self(rawValue: 0x9)
}

/// Frame flags; which ones mean something depends on the type.
struct HTTP2Flags: OptionSet {
    var rawValue: UInt8
    init(rawValue: UInt8) { self.rawValue = rawValue }

    static let endStream = Self(rawValue: 0x1)
    /// SETTINGS and PING: the same bit as END_STREAM.
    static let ack = Self(rawValue: 0x1)
    static let endHeaders = Self(rawValue: 0x4)
    static let padded = Self(rawValue: 0x8)
    static let priority = Self(rawValue: 0x20)
}

/// RST_STREAM's and GOAWAY's error codes (§7). A peer may send codes this list
/// does not name: they are kept as sent and trigger nothing special.
struct HTTP2ErrorCode: RawRepresentable, Equatable {
    var rawValue: UInt32
    init(rawValue: UInt32) { self.rawValue = rawValue }

    static let noError = Self(rawValue: 0x0)
    static let protocolError = Self(rawValue: 0x1)
    static let internalError = Self(rawValue: 0x2)
    static let flowControlError = Self(rawValue: 0x3)
    static let settingsTimeout = Self(rawValue: 0x4)
    static let streamClosed = Self(rawValue: 0x5)
    static let frameSizeError = Self(rawValue: 0x6)
    static let refusedStream = Self(rawValue: 0x7)
    static let cancel = Self(rawValue: 0x8)
    static let compressionError = Self(rawValue: 0x9)
    static let connectError = Self(rawValue: 0xA)
    static let enhanceYourCalm = Self(rawValue: 0xB)
    static let inadequateSecurity = Self(rawValue: 0xC)
    static let http11Required = Self(rawValue: 0xD)
}

/// SETTINGS parameters (§6.5.2); unknown ones are ignored.
enum HTTP2SettingID {
    static let headerTableSize: UInt16 = 0x1
    static let enablePush: UInt16 = 0x2
    static let maxConcurrentStreams: UInt16 = 0x3
    static let initialWindowSize: UInt16 = 0x4
    static let maxFrameSize: UInt16 = 0x5
    static let maxHeaderListSize: UInt16 = 0x6
}

/// Protocol constants (§4.2, §6.9.1).
enum HTTP2Protocol {
    static let frameHeaderSize = 9
    static let defaultMaxFrameSize = 16_384
    static let largestMaxFrameSize = 16_777_215
    static let defaultWindowSize = 65_535
    static let largestWindowSize = 2_147_483_647
}

/// A frame's header (§4.1): the reserved bit of the stream id is dropped.
struct HTTP2FrameHeader: Equatable {
    var length: Int
    var type: HTTP2FrameType
    var flags: HTTP2Flags
    var streamID: UInt32

    /// Reads the 9 bytes at `index` (the caller checked they are there).
    init(_ bytes: ArraySlice<UInt8>, at index: Int) {
        length = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
        type = HTTP2FrameType(rawValue: bytes[index + 3])
        flags = HTTP2Flags(rawValue: bytes[index + 4])
        streamID = HTTP2Bytes.uint32(bytes, at: index + 5) & 0x7FFF_FFFF
    }

    init(length: Int, type: HTTP2FrameType, flags: HTTP2Flags, streamID: UInt32) {
        self.length = length
        self.type = type
        self.flags = flags
        self.streamID = streamID
    }
}

/// Big-endian reading, as the wire has it.
enum HTTP2Bytes {
    static func uint32(_ bytes: ArraySlice<UInt8>, at index: Int) -> UInt32 {
        UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3])
    }

    static func uint16(_ bytes: ArraySlice<UInt8>, at index: Int) -> UInt16 {
        UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
    }
}
