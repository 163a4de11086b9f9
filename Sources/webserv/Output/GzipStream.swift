import CZlib

/// One gzip member (RFC 1952) made by zlib's deflate, in pieces: what the
/// gzip body filter compresses an answer with. nginx's parameters: window
/// 2^15 and memLevel 8, both made smaller for a body whose length is known
/// to be small (nginx's `ngx_http_gzip_filter_memory`), so a small answer
/// does not cost ~256 KiB of zlib state.
final class GzipStream {
    /// The z_stream lives at a fixed address: zlib's state points back at it.
    private let stream: UnsafeMutablePointer<z_stream>
    private var finished = false
    /// What deflate writes into before it is appended to the caller's output.
    private let outputBuffer: UnsafeMutableBufferPointer<Bytef>

    /// nil when zlib cannot start (no memory): the answer then goes plain.
    init?(level: Int, expectedLength: Int? = nil) {
        var windowBits: Int32 = 15, memoryLevel: Int32 = 8
        if let length = expectedLength, length > 0 {
            // deflate's real window is 262 bytes smaller than 2^windowBits.
            while windowBits > 9, length < (1 << (windowBits - 1)) - 262 {
                windowBits -= 1
                memoryLevel -= 1
            }
            memoryLevel = max(memoryLevel, 1)
        }
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        stream.pointee.zalloc = ZlibMemory.allocate
        stream.pointee.zfree = ZlibMemory.release
        // As large as a file piece's output mostly is; a small body's whole answer.
        outputBuffer = .allocate(capacity: expectedLength.map { min(max($0 / 2 + 64, 256), 1 << 15) } ?? 1 << 15)
        // +16: a gzip header and trailer around the deflate data.
        guard webserv_deflateInit2(stream, Int32(min(max(level, 1), 9)), windowBits + 16, memoryLevel) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            outputBuffer.deallocate()
            return nil
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        outputBuffer.deallocate()
    }

    /// How much of the input `compress` has taken so far, and how much it gave.
    var totalIn: Int { Int(stream.pointee.total_in) }
    var totalOut: Int { Int(stream.pointee.total_out) }

    enum Flush {
        /// Let zlib keep what it has not decided yet (the best compression): a file read in pieces.
        case none
        /// Everything given so far goes out now, as nginx does on a flush: a streamed answer.
        case sync
        /// The end of the body: the rest and the gzip trailer.
        case finish

        var zlibValue: Int32 {
            switch self {
            case .none: return Z_NO_FLUSH
            case .sync: return Z_SYNC_FLUSH
            case .finish: return Z_FINISH
            }
        }
    }

    /// Compresses `input` and appends what zlib gives to `output`. After
    /// `.finish` the stream is over; further calls append nothing.
    func compress(_ input: UnsafeRawBufferPointer, flush: Flush, into output: inout [UInt8]) {
        guard !finished else { return }
        let stream = self.stream
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        let mode = flush.zlibValue
        // zlib writes into the stream's own buffer; each time it is full or
        // zlib is done, its bytes are appended to `output` in one copy.
        let buffer = outputBuffer
        while true {
            stream.pointee.next_out = buffer.baseAddress
            stream.pointee.avail_out = uInt(buffer.count)
            let status = deflate(stream, mode)
            let produced = buffer.count - Int(stream.pointee.avail_out)
            if produced > 0 { output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<produced])) }
            if status == Z_STREAM_END { finished = true; break }
            // Z_BUF_ERROR: nothing left to do for this call (no input, nothing pending).
            if status != Z_OK { break }
            if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 && mode != Z_FINISH { break }
        }
        stream.pointee.next_in = nil
    }

    func compress(_ input: ArraySlice<UInt8>, flush: Flush, into output: inout [UInt8]) {
        input.withUnsafeBytes { compress($0, flush: flush, into: &output) }
    }

    /// A whole body at once (one piece, finished): an answer in memory.
    static func compressed(_ body: ArraySlice<UInt8>, level: Int) -> [UInt8]? {
        guard let stream = GzipStream(level: level, expectedLength: body.count) else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(body.count / 2 + 64)
        stream.compress(body, flush: .finish, into: &output)
        return output
    }
}
