import XCTest
import Glibc

/// How the freshness tests change a served file behind the server's back
/// (in-process and black-box alike): in place, never by Foundation's atomic write.
enum FileEdits {
    /// Creates the file, or truncates it and writes it again (same inode).
    static func write(_ path: String, _ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0, path, file: file, line: line)
        XCTAssertEqual(Glibc.write(fd, text, text.utf8.count), text.utf8.count, path, file: file, line: line)
        close(fd)
    }

    /// Overwrites the start without truncating: same inode, and the same size when `text` is as long.
    static func overwriteInPlace(_ path: String, _ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let fd = open(path, O_WRONLY)
        XCTAssertGreaterThanOrEqual(fd, 0, path, file: file, line: line)
        XCTAssertEqual(pwrite(fd, text, text.utf8.count, 0), text.utf8.count, path, file: file, line: line)
        close(fd)
    }
}
