/// Writes frames (RFC 9113 §4.1, §6) onto the end of an output buffer, so a
/// turn's frames go out in one write and nothing is allocated per frame.
enum HTTP2FrameEncoder {
    static func appendHeader(length: Int, type: HTTP2FrameType, flags: HTTP2Flags, streamID: UInt32, into out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: length >> 16))
        out.append(UInt8(truncatingIfNeeded: length >> 8))
        out.append(UInt8(truncatingIfNeeded: length))
        out.append(type.rawValue)
        out.append(flags.rawValue)
        appendUInt32(streamID & 0x7FFF_FFFF, into: &out)
    }

    static func appendUInt32(_ value: UInt32, into out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value >> 24))
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value))
    }

    /// A SETTINGS frame with the given parameters (empty: none).
    static func appendSettings(_ settings: [(id: UInt16, value: UInt32)], into out: inout [UInt8]) {
        appendHeader(length: settings.count * 6, type: .settings, flags: [], streamID: 0, into: &out)
        for setting in settings {
            out.append(UInt8(setting.id >> 8))
            out.append(UInt8(setting.id & 0xFF))
            appendUInt32(setting.value, into: &out)
        }
    }

    static func appendSettingsAck(into out: inout [UInt8]) {
        appendHeader(length: 0, type: .settings, flags: .ack, streamID: 0, into: &out)
    }

    /// PING (`ack`: the answer to one, with its 8 bytes).
    static func appendPing(_ opaque: ArraySlice<UInt8>, ack: Bool, into out: inout [UInt8]) {
        appendHeader(length: 8, type: .ping, flags: ack ? .ack : [], streamID: 0, into: &out)
        out += opaque
    }

    static func appendGoAway(lastStreamID: UInt32, code: HTTP2ErrorCode, into out: inout [UInt8]) {
        appendHeader(length: 8, type: .goAway, flags: [], streamID: 0, into: &out)
        appendUInt32(lastStreamID & 0x7FFF_FFFF, into: &out)
        appendUInt32(code.rawValue, into: &out)
    }

    static func appendRSTStream(streamID: UInt32, code: HTTP2ErrorCode, into out: inout [UInt8]) {
        appendHeader(length: 4, type: .rstStream, flags: [], streamID: streamID, into: &out)
        appendUInt32(code.rawValue, into: &out)
    }

    static func appendWindowUpdate(streamID: UInt32, increment: Int, into out: inout [UInt8]) {
        appendHeader(length: 4, type: .windowUpdate, flags: [], streamID: streamID, into: &out)
        appendUInt32(UInt32(truncatingIfNeeded: increment) & 0x7FFF_FFFF, into: &out)
    }

    static func appendData(streamID: UInt32, _ bytes: ArraySlice<UInt8>, endStream: Bool, into out: inout [UInt8]) {
        appendHeader(length: bytes.count, type: .data, flags: endStream ? .endStream : [], streamID: streamID, into: &out)
        out += bytes
    }

    /// An encoded header block as HEADERS then as many CONTINUATIONs as the
    /// peer's frame size needs (§4.3: nothing may come between them).
    static func appendHeaderBlock(streamID: UInt32, _ block: ArraySlice<UInt8>, endStream: Bool, maxFrameSize: Int, into out: inout [UInt8]) {
        var start = block.startIndex
        var type = HTTP2FrameType.headers
        repeat {
            let end = min(block.endIndex, start + maxFrameSize)
            var flags: HTTP2Flags = end == block.endIndex ? .endHeaders : []
            if endStream, type == .headers { flags.insert(.endStream) }
            appendHeader(length: end - start, type: type, flags: flags, streamID: streamID, into: &out)
            out += block[start..<end]
            start = end
            type = .continuation
        } while start < block.endIndex
    }
}
