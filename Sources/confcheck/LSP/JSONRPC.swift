import ConfLang
import Foundation

/// JSON-RPC 2.0 as LSP uses it. Incoming messages are parsed with
/// JSONSerialization into `Any` and read through the accessors below (so a
/// wrong type is a missing value, never a crash); outgoing ones are ConfLang's
/// ordered `JSON`, so output is stable for tests and logs.
enum JSONRPC {
    enum RequestID: Equatable {
        case number(Int)
        case string(String)

        var json: JSON {
            switch self {
            case .number(let value): return .int(value)
            case .string(let value): return .string(value)
            }
        }
    }

    /// One incoming message, classified.
    enum Incoming {
        case request(id: RequestID, method: String, params: Any?)
        case notification(method: String, params: Any?)
        /// A response to a request of ours (we send none, so it is ignored).
        case response
        case invalid(id: RequestID?, ResponseError)
    }

    struct ResponseError: Error {
        let code: Int
        let message: String

        static func parseError(_ message: String) -> ResponseError { .init(code: -32700, message: message) }
        static func invalidRequest(_ message: String) -> ResponseError { .init(code: -32600, message: message) }
        static func methodNotFound(_ method: String) -> ResponseError { .init(code: -32601, message: "method not found: \(method)") }
        static func invalidParams(_ message: String) -> ResponseError { .init(code: -32602, message: message) }
        static let serverNotInitialized = ResponseError(code: -32002, message: "the server is not initialized yet")
    }

    static func parse(_ body: [UInt8]) -> Incoming {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(body))
        } catch {
            return .invalid(id: nil, .parseError("the message is not JSON: \(error.localizedDescription)"))
        }
        guard let message = object as? [String: Any] else {
            return .invalid(id: nil, .invalidRequest("a message must be a JSON object (batches are not supported)"))
        }
        var id: RequestID?
        if let raw = message["id"], !(raw is NSNull) {
            if let text = raw as? String { id = .string(text) }
            else if !isBoolean(raw), let number = raw as? Int { id = .number(number) }
            else { return .invalid(id: nil, .invalidRequest("'id' must be a number or a string")) }
        }
        guard let method = message["method"] else {
            if id != nil && (message["result"] != nil || message["error"] != nil) { return .response }
            return .invalid(id: id, .invalidRequest("the message has no 'method'"))
        }
        guard let name = method as? String else { return .invalid(id: id, .invalidRequest("'method' must be a string")) }
        if let id { return .request(id: id, method: name, params: message["params"]) }
        return .notification(method: name, params: message["params"])
    }

    /// Foundation hands JSON numbers and booleans over as NSNumber, and `0 is
    /// Bool` holds for them on Linux: only the encoding tells `true` from `1`.
    static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    static func response(id: RequestID?, result: JSON) -> [UInt8] {
        encode(.object([("jsonrpc", .string("2.0")), ("id", id?.json ?? .null), ("result", result)]))
    }

    static func response(id: RequestID?, error: ResponseError) -> [UInt8] {
        encode(.object([("jsonrpc", .string("2.0")), ("id", id?.json ?? .null),
                        ("error", .object([("code", .int(error.code)), ("message", .string(error.message))]))]))
    }

    static func notification(_ method: String, _ params: JSON) -> [UInt8] {
        encode(.object([("jsonrpc", .string("2.0")), ("method", .string(method)), ("params", params)]))
    }

    private static func encode(_ value: JSON) -> [UInt8] {
        Array(value.serialized().utf8)
    }
}

/// Typed reads from parsed JSON: a missing key and a wrong type are both nil.
struct Params {
    let value: [String: Any]

    init?(_ any: Any?) {
        guard let value = any as? [String: Any] else { return nil }
        self.value = value
    }

    func object(_ key: String) -> Params? { Params(value[key]) }
    func string(_ key: String) -> String? { value[key] as? String }
    func array(_ key: String) -> [Any]? { value[key] as? [Any] }

    /// Whole numbers only (JSON has one number type; 1.5 is not a line).
    func int(_ key: String) -> Int? {
        guard let raw = value[key], !JSONRPC.isBoolean(raw) else { return nil }
        return raw as? Int
    }

    func bool(_ key: String) -> Bool? {
        guard let raw = value[key], JSONRPC.isBoolean(raw) else { return nil }
        return raw as? Bool
    }

    /// `params.textDocument.uri`.
    var documentURI: String? { object("textDocument")?.string("uri") }

    /// An LSP `Position`; negative numbers are refused.
    func position(_ key: String = "position") -> TextPosition? {
        guard let position = object(key), let line = position.int("line"), let character = position.int("character"),
              line >= 0, character >= 0 else { return nil }
        return TextPosition(line: line, character: character)
    }

    /// An LSP `Range`.
    func range(_ key: String = "range") -> (start: TextPosition, end: TextPosition)? {
        guard let range = object(key), let start = range.position("start"), let end = range.position("end") else { return nil }
        return (start, max(start, end))
    }
}
