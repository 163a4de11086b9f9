import Foundation
import XCTest

/// The built `confcheck --lsp` as a client starts it: a process on pipes.
final class LSPProcessTests: XCTestCase {
    static var binary: String {
        // The test bundle sits in the same build folder as the executable.
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [folder.appendingPathComponent("confcheck").path]
        if folder.lastPathComponent.hasSuffix(".xctest") {
            candidates.append(folder.deletingLastPathComponent().appendingPathComponent("confcheck").path)
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/confcheck").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    private func frame(_ json: String) -> Data {
        Data("Content-Length: \(json.utf8.count)\r\n\r\n\(json)".utf8)
    }

    /// Bodies of the framed messages in `data`.
    private func bodies(_ data: Data) -> [[String: Any]] {
        var rest = [UInt8](data)
        var result: [[String: Any]] = []
        let separator = Array("\r\n\r\n".utf8)
        while let end = rest.firstRange(of: separator) {
            let header = String(decoding: rest[..<end.lowerBound], as: UTF8.self)
            guard let length = Int(header.replacingOccurrences(of: "Content-Length: ", with: "")),
                  end.upperBound + length <= rest.count else { break }
            let body = Data(rest[end.upperBound..<(end.upperBound + length)])
            if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] { result.append(object) }
            rest = Array(rest[(end.upperBound + length)...])
        }
        return result
    }

    func testInitializeShutdownExitOverPipes() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LSPProcessTests.binary)
        process.arguments = ["--lsp"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let writer = input.fileHandleForWriting
        writer.write(frame(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}"#))
        writer.write(frame(#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#))
        writer.write(frame(#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#))
        writer.write(frame(#"{"jsonrpc":"2.0","method":"exit"}"#))
        // The server must stop on `exit`, not on end of input: keep the pipe open.
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate(); XCTFail("confcheck --lsp did not exit after 'exit'") }
        try? writer.close()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        let replies = bodies(output.fileHandleForReading.readDataToEndOfFile())
        XCTAssertEqual(replies.compactMap { $0["id"] as? Int }, [1, 2])
        let capabilities = (replies.first?["result"] as? [String: Any])?["capabilities"] as? [String: Any]
        XCTAssertEqual(capabilities?["hoverProvider"] as? Bool, true)
        XCTAssertTrue(replies.last?["result"] is NSNull)
    }
}
