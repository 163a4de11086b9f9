import XCTest
@testable import ConfLang

/// confcheck's SARIF checked by hand against the SARIF 2.1.0 schema
/// (sarif-schema-2.1.0.json) for every object it emits: required
/// properties, value ranges, enums, and no property the schema lacks (its
/// objects have `additionalProperties: false`). No schema file, no network.
final class SarifSchemaTests: XCTestCase {
    /// Each emitted object's properties in the schema (the ones we might use).
    private let schemaProperties: [String: Set<String>] = [
        "sarifLog": ["$schema", "version", "runs", "inlineExternalProperties", "properties"],
        "run": ["tool", "invocations", "results", "artifacts", "columnKind", "originalUriBaseIds", "properties"],
        "tool": ["driver", "extensions", "properties"],
        "toolComponent": ["name", "version", "semanticVersion", "informationUri", "rules", "fullName",
                          "shortDescription", "fullDescription", "organization", "properties"],
        "reportingDescriptor": ["id", "name", "shortDescription", "fullDescription", "messageStrings",
                                "defaultConfiguration", "helpUri", "help", "relationships", "properties"],
        "multiformatMessageString": ["text", "markdown", "properties"],
        "reportingConfiguration": ["enabled", "level", "rank", "parameters", "properties"],
        "result": ["ruleId", "ruleIndex", "rule", "kind", "level", "message", "locations", "relatedLocations",
                   "suppressions", "fixes", "fingerprints", "partialFingerprints", "properties"],
        "message": ["text", "markdown", "id", "arguments", "properties"],
        "location": ["id", "physicalLocation", "logicalLocations", "message", "annotations", "relationships", "properties"],
        "physicalLocation": ["address", "artifactLocation", "region", "contextRegion", "properties"],
        "artifactLocation": ["uri", "uriBaseId", "index", "description", "properties"],
        "region": ["startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength",
                   "byteOffset", "byteLength", "snippet", "message", "sourceLanguage", "properties"],
    ]
    private let levels: Set<String> = ["none", "note", "warning", "error"]

    /// Findings of several codes and severities, in two files (one by an
    /// absolute path), with related locations (notes) and a non-ASCII name.
    private func sampleLog() throws -> [String: Any] {
        let text = site("listen 80;\nlisten 80;\nlocation /a { root /srv/$host; allow_methods GET GET; }\ninclude \"ü b.conf\";\nservr_name x;")
        var found = diagnostics(text, files: ["ü b.conf": "location /c { autoindex maybe; }\n"])
        let file = SourceFile(path: "/etc/webserv/x.conf", text: "server { }\n")
        found.append(Diagnostic(.note, .lspAssumedContext, "checked alone", at: SourceRange(file: file, start: 0, end: 6)))
        XCTAssertGreaterThanOrEqual(Set(found.map(\.id)).count, 5, found.map(\.summary).description)
        XCTAssertTrue(found.contains { !$0.notes.isEmpty })
        let rendered = DiagnosticRenderer(format: .sarif).render(found)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: Any])
    }

    func testOutputSatisfiesTheSchema() throws {
        let log = try sampleLog()
        check(log, as: "sarifLog", required: ["version", "runs"])
        XCTAssertEqual(log["version"] as? String, "2.1.0")
        XCTAssertTrue((log["$schema"] as? String).map(isURI) ?? false, "$schema is a URI")
        let runs = try XCTUnwrap(log["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 1)
        let run = runs[0]
        check(run, as: "run", required: ["tool"])
        XCTAssertTrue(["utf16CodeUnits", "unicodeCodePoints"].contains(run["columnKind"] as? String ?? ""))
        let tool = try XCTUnwrap(run["tool"] as? [String: Any])
        check(tool, as: "tool", required: ["driver"])
        let driver = try XCTUnwrap(tool["driver"] as? [String: Any])
        check(driver, as: "toolComponent", required: ["name"])
        XCTAssertEqual(driver["name"] as? String, "confcheck")
        let rules = try XCTUnwrap(driver["rules"] as? [[String: Any]])
        for rule in rules { try checkRule(rule) }
        XCTAssertEqual(Set(rules.compactMap { $0["id"] as? String }).count, rules.count, "rule ids are unique")

        let results = try XCTUnwrap(run["results"] as? [[String: Any]])
        XCTAssertFalse(results.isEmpty)
        var usedRules = Set<Int>()
        for result in results {
            check(result, as: "result", required: ["message"])
            let message = try XCTUnwrap(result["message"] as? [String: Any])
            check(message, as: "message", required: [])
            XCTAssertFalse((message["text"] as? String ?? "").isEmpty, "message.text")
            XCTAssertTrue(levels.contains(result["level"] as? String ?? ""), "result.level")
            // ruleIndex: an index into tool.driver.rules whose id is ruleId.
            let index = try XCTUnwrap(result["ruleIndex"] as? Int)
            XCTAssertTrue(rules.indices.contains(index), "ruleIndex \(index) within rules")
            XCTAssertEqual(rules[index]["id"] as? String, result["ruleId"] as? String)
            usedRules.insert(index)
            let locations = try XCTUnwrap(result["locations"] as? [[String: Any]])
            XCTAssertEqual(locations.count, 1)
            for location in locations { try checkLocation(location) }
            for related in result["relatedLocations"] as? [[String: Any]] ?? [] {
                try checkLocation(related)
                XCTAssertNotNil((related["message"] as? [String: Any])?["text"] as? String, "a note's text")
            }
        }
        XCTAssertEqual(usedRules, Set(rules.indices), "the rules listed are the rules used")
    }

    private func checkRule(_ rule: [String: Any]) throws {
        check(rule, as: "reportingDescriptor", required: ["id"])
        let id = try XCTUnwrap(rule["id"] as? String)
        let entry = try XCTUnwrap(DiagnosticCode(code: id)?.entry, "\(id) is catalogued")
        for key in ["shortDescription", "fullDescription", "help"] {
            let text = try XCTUnwrap(rule[key] as? [String: Any], "\(id).\(key)")
            check(text, as: "multiformatMessageString", required: ["text"])
            XCTAssertFalse((text["text"] as? String ?? "").isEmpty)
        }
        XCTAssertEqual((rule["shortDescription"] as? [String: Any])?["text"] as? String, entry.plainSummary)
        XCTAssertEqual((rule["help"] as? [String: Any])?["text"] as? String, entry.plainHelp)
        XCTAssertTrue((rule["helpUri"] as? String).map(isURI) ?? false, "\(id).helpUri")
        let configuration = try XCTUnwrap(rule["defaultConfiguration"] as? [String: Any])
        check(configuration, as: "reportingConfiguration", required: [])
        XCTAssertEqual(configuration["level"] as? String, entry.severity.rawValue)
        XCTAssertTrue(levels.contains(configuration["level"] as? String ?? ""))
    }

    private func checkLocation(_ location: [String: Any]) throws {
        check(location, as: "location", required: [])
        let physical = try XCTUnwrap(location["physicalLocation"] as? [String: Any])
        check(physical, as: "physicalLocation", required: [])
        let artifact = try XCTUnwrap(physical["artifactLocation"] as? [String: Any])
        check(artifact, as: "artifactLocation", required: [])
        let uri = try XCTUnwrap(artifact["uri"] as? String)
        XCTAssertTrue(isURI(uri), "artifactLocation.uri \(uri) is a URI reference")
        let region = try XCTUnwrap(physical["region"] as? [String: Any])
        check(region, as: "region", required: [])
        let startLine = try XCTUnwrap(region["startLine"] as? Int)
        let startColumn = try XCTUnwrap(region["startColumn"] as? Int)
        let endLine = try XCTUnwrap(region["endLine"] as? Int)
        let endColumn = try XCTUnwrap(region["endColumn"] as? Int)
        XCTAssertGreaterThanOrEqual(startLine, 1)
        XCTAssertGreaterThanOrEqual(startColumn, 1)
        XCTAssertGreaterThanOrEqual(endLine, startLine)
        XCTAssertGreaterThanOrEqual(endColumn, 1)
        if endLine == startLine { XCTAssertGreaterThanOrEqual(endColumn, startColumn) }
    }

    private func check(_ object: [String: Any], as kind: String, required: [String],
                       file: StaticString = #filePath, line: UInt = #line) {
        let allowed = schemaProperties[kind] ?? []
        for key in object.keys { XCTAssertTrue(allowed.contains(key), "\(kind) has no property '\(key)'", file: file, line: line) }
        for key in required { XCTAssertNotNil(object[key], "\(kind) requires '\(key)'", file: file, line: line) }
    }

    /// RFC 3986 characters only: unreserved, reserved, and %HH escapes.
    private func isURI(_ text: String) -> Bool {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")
        guard !text.isEmpty, text.allSatisfy(allowed.contains) else { return false }
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "%") {
            guard index + 2 < bytes.count, isHex(bytes[index + 1]), isHex(bytes[index + 2]) else { return false }
        }
        return true
    }

    private func isHex(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)
    }
}
