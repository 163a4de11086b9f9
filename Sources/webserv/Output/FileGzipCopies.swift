/// gzip's compressed copies of whole files from disk (up to `maxFileSize`):
/// made once per file version and level, kept on the file's `OpenFile`, which
/// the open file cache replaces when the file changes (so a copy never
/// outlives its version), and counted here against one budget for the
/// worker. Small files have theirs in the small-file cache (`CachedFile.gzipped`);
/// a file over the bound is compressed on the way, piece by piece.
enum FileGzipCopies {
    /// Compressing more at once would hold the loop too long (a 512 KiB file
    /// at level 6 takes a few milliseconds, once per version).
    static let maxFileSize = 512 * 1024
    static let defaultBudget = 16 * 1024 * 1024
    /// What all kept copies may take (tests lower it).
    nonisolated(unsafe) static var budget = defaultBudget
    /// What the kept copies take now.
    nonisolated(unsafe) private(set) static var stored = 0

    /// The whole of `file` compressed at `level`: its copy, made now if it
    /// has none (and kept within the budget); nil for a file over the bound,
    /// when the budget is full, for a file that cannot be read whole (it
    /// shrank), or when zlib cannot start.
    static func copy(of file: OpenFile, level: Int) -> [UInt8]? {
        if let copy = file.gzipCopy, copy.level == level { return copy.bytes }
        // A full budget keeps no copy: the file is compressed on the way, piece
        // by piece between other connections' turns, rather than whole at once.
        guard file.size <= maxFileSize, stored < budget, let plain = readWhole(file),
              let compressed = GzipStream.compressed(plain[...], level: level) else { return nil }
        let previous = file.gzipCopy?.bytes.count ?? 0
        if stored - previous + compressed.count <= budget {
            stored += compressed.count - previous
            file.gzipCopy = (level, compressed)
        }
        return compressed
    }

    /// A copy let go of (its file was).
    static func released(_ count: Int) { stored -= count }

    private static func readWhole(_ file: OpenFile) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: file.size)
        var done = 0
        let complete = bytes.withUnsafeMutableBytes { buffer -> Bool in
            while done < buffer.count {
                let rest = UnsafeMutableRawBufferPointer(rebasing: buffer[done...])
                guard case .value(let count)? = try? Socket.readFile(file.fd, into: rest, at: done), count > 0 else { return false }
                done += count
            }
            return true
        }
        return complete ? bytes : nil
    }
}
