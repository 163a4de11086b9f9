import CZlib
import Glibc

/// Where a gzip stream's zlib state comes from: blocks kept after an answer
/// for the next one. zlib asks for ~256 KiB in pieces of 64 KiB, below the C
/// library's mmap threshold, so freed they return to the heap's top, which
/// the C library then trims; the next answer faulted every page in again
/// (about 60 page faults a compressed answer; nginx, whose pool takes it in
/// one piece, none). A process runs one loop on one thread.
enum ZlibMemory {
    /// Blocks kept for reuse, at most `capacity` of them (a few streams' worth).
    nonisolated(unsafe) private static var kept: [UnsafeMutableRawPointer] = []
    static let capacity = 16
    /// Each block begins with its size, so a free knows it.
    private static let header = 16

    /// zlib's `zalloc`: a kept block of the same size, or a new one.
    static let allocate: alloc_func = { _, items, size in
        let bytes = Int(items) * Int(size)
        if let index = kept.firstIndex(where: { $0.load(as: Int.self) == bytes }) {
            kept.swapAt(index, kept.count - 1)
            return kept.removeLast() + header
        }
        guard let block = malloc(bytes + header) else { return nil }
        block.storeBytes(of: bytes, as: Int.self)
        return block + header
    }

    /// zlib's `zfree`: kept while there is room, freed otherwise.
    static let release: free_func = { _, address in
        guard let address else { return }
        let block = address - header
        if kept.count < capacity { kept.append(block) } else { free(block) }
    }

    /// How many blocks wait for reuse (for tests).
    static var keptCount: Int { kept.count }
}
