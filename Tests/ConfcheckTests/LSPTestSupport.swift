import ConfLang
import Foundation
import XCTest
@testable import confcheck

/// A scripted client for an in-process `LanguageServer`: it frames JSON-RPC
/// messages into the session and decodes what the session sends back.
final class LSPTestClient {
    private final class Inbox {
        var framer = MessageFramer()
        var messages: [[String: Any]] = []
        var logs: [String] = []
    }

    private let inbox = Inbox()
    let server: LanguageServer
    private var nextID = 1

    init() {
        let inbox = self.inbox
        server = LanguageServer(send: { bytes in
            for event in inbox.framer.append(bytes) {
                guard case .message(let body) = event,
                      let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                    XCTFail("the server sent a bad frame: \(event)"); continue
                }
                inbox.messages.append(object)
            }
        }, log: { inbox.logs.append($0) })
    }

    var messages: [[String: Any]] { inbox.messages }
    var logs: [String] { inbox.logs }

    static func frame(_ object: [String: Any]) -> [UInt8] {
        let body = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return MessageFramer.frame(Array(body))
    }

    func sendRaw(_ bytes: [UInt8]) { server.receive(bytes) }

    func notify(_ method: String, _ params: [String: Any] = [:]) {
        sendRaw(LSPTestClient.frame(["jsonrpc": "2.0", "method": method, "params": params]))
    }

    /// Sends a request and returns the whole response message.
    @discardableResult
    func request(_ method: String, _ params: [String: Any] = [:]) -> [String: Any] {
        let id = nextID
        nextID += 1
        sendRaw(LSPTestClient.frame(["jsonrpc": "2.0", "id": id, "method": method, "params": params]))
        return response(id: id) ?? [:]
    }

    func response(id: Int) -> [String: Any]? {
        messages.last { ($0["id"] as? Int) == id && $0["method"] == nil }
    }

    /// The result of a request (nil when it failed or was null).
    func result(_ method: String, _ params: [String: Any] = [:]) -> Any? {
        request(method, params)["result"]
    }

    @discardableResult
    func initialize(root: String? = nil, encodings: [String]? = nil) -> [String: Any] {
        var params: [String: Any] = ["processId": NSNull(), "capabilities": [String: Any]()]
        if let root { params["rootUri"] = FileURI.uri(fromPath: root) }
        if let encodings { params["capabilities"] = ["general": ["positionEncodings": encodings]] }
        let response = request("initialize", params)
        notify("initialized")
        return response
    }

    func open(_ uri: String, _ text: String, version: Int = 1) {
        notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "nginx", "version": version, "text": text]])
    }

    /// The last diagnostics published for `uri`, or nil when none were.
    func diagnostics(for uri: String) -> [[String: Any]]? {
        let published = messages.last {
            ($0["method"] as? String) == "textDocument/publishDiagnostics" && (($0["params"] as? [String: Any])?["uri"] as? String) == uri
        }
        return (published?["params"] as? [String: Any])?["diagnostics"] as? [[String: Any]]
    }

    func clear() { inbox.messages = [] }
}

/// LSP JSON helpers for assertions.
func lspPosition(_ line: Int, _ character: Int) -> [String: Any] { ["line": line, "character": character] }

func textDocumentPosition(_ uri: String, _ line: Int, _ character: Int) -> [String: Any] {
    ["textDocument": ["uri": uri], "position": lspPosition(line, character)]
}

/// `[[line, character], [line, character]]` of an LSP range, for comparing.
func rangeNumbers(_ value: Any?) -> [[Int]] {
    guard let range = value as? [String: Any], let start = range["start"] as? [String: Any], let end = range["end"] as? [String: Any] else { return [] }
    return [[start["line"] as? Int ?? -1, start["character"] as? Int ?? -1], [end["line"] as? Int ?? -1, end["character"] as? Int ?? -1]]
}

/// Applies LSP TextEdits (UTF-16 positions) to a text, as an editor would.
func applyingTextEdits(_ edits: [[String: Any]], to text: String) -> String {
    let source = SourceFile(path: "edit", text: text)
    let resolved: [(Range<Int>, String)] = edits.map { edit in
        let numbers = rangeNumbers(edit["range"])
        let start = source.offset(of: TextPosition(line: numbers[0][0], character: numbers[0][1]), encoding: .utf16)
        let end = source.offset(of: TextPosition(line: numbers[1][0], character: numbers[1][1]), encoding: .utf16)
        return (start..<end, edit["newText"] as? String ?? "")
    }
    var bytes = source.bytes
    for (range, newText) in resolved.sorted(by: { $0.0.lowerBound > $1.0.lowerBound }) {
        bytes.replaceSubrange(range, with: Array(newText.utf8))
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// A fresh temporary directory with the given files (paths relative to it).
func lspTemporaryTree(_ files: [String: String]) -> String {
    let directory = NSTemporaryDirectory() + "confcheck-lsp-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (name, content) in files {
        let path = directory + "/" + name
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data(content.utf8))
    }
    return directory
}
