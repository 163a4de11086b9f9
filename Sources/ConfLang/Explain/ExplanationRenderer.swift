/// Turns an `Explanation` into text for people or JSON for tools. Text from a
/// configuration or a request is shown with its control characters escaped,
/// as in diagnostics, so neither can drive the terminal.
public enum ExplanationRenderer {
    /// The JSON document's version: changes only when a field's meaning does.
    public static let jsonVersion = 1

    // MARK: text

    public static func text(_ explanation: Explanation) -> String {
        var out = ""
        func line(_ text: String = "") { out += visible(text) + "\n" }
        let request = explanation.request
        line("\(request.method) \(request.url)")
        var requestFacts = ["path " + (request.path ?? "(refused: \(request.target))")]
        if let query = request.query { requestFacts.append("query " + query) }
        requestFacts.append("Host " + (request.host ?? "(none)"))
        if let length = request.contentLength { requestFacts.append("Content-Length \(length)") }
        line("  " + requestFacts.joined(separator: ", "))
        for note in explanation.notes { line("  note: " + note) }

        if let address = explanation.address {
            line()
            line("address \(address.listen)")
            line("  " + address.reason)
        }
        if let tls = explanation.tls {
            line()
            line("tls " + (tls.serverName.map { "SNI " + $0 } ?? "without SNI"))
            if tls.certificates.isEmpty {
                line("  no ssl_certificate: the handshake fails")
            } else {
                line("  certificate " + tls.certificates.joined(separator: ", ") + (tls.place.map { " (\(placeText($0)))" } ?? ""))
                if !tls.keys.isEmpty { line("  key " + tls.keys.joined(separator: ", ")) }
                if let names = tls.certificateNames {
                    let verdict = tls.coversServerName.map { $0 ? ": it covers \(tls.serverName ?? "")" : ": it does not cover \(tls.serverName ?? ""), clients refuse it" } ?? ""
                    line("  names " + (names.isEmpty ? "(none)" : names.joined(separator: ", ")) + verdict)
                }
            }
            line("  chosen: " + tls.reason + (tls.server.map { " (server at \(placeText($0)))" } ?? ""))
        }
        if let server = explanation.server, let chosen = server.entries.first {
            line()
            line("server " + serverTitle(chosen))
            line("  chosen: " + chosen.reason)
            for other in server.entries.dropFirst() {
                line("  lost:   \(serverTitle(other)): \(other.reason)")
            }
        }
        if let location = explanation.location {
            line()
            if let base = location.base {
                line("location \(base.modifier) \(base.pattern)" + (base.place.map { " (\(placeText($0)))" } ?? ""))
            } else {
                line("location: none matches; the server's own settings are the base")
            }
            if let overlay = location.overlay {
                line("  with location $ \(overlay.pattern) laid over it" + (overlay.place.map { " (\(placeText($0)))" } ?? ""))
            }
            if let script = location.scriptPath { line("  script \(script), PATH_INFO '\(location.pathInfo ?? "")'") }
            let width = location.entries.map { $0.modifier.count + 1 + $0.pattern.count }.max() ?? 0
            for entry in location.entries {
                let name = "\(entry.modifier) \(entry.pattern)"
                let place = entry.place.map { placeText($0) + " " } ?? ""
                line("  \(entry.chosen ? "chosen" : "lost  ") \(name.padding(width)) \(place)\(entry.reason)")
            }
        }
        if !explanation.settings.isEmpty {
            line()
            line("settings")
            let width = explanation.settings.map { $0.directive.count + 1 + $0.value.count }.max() ?? 0
            for setting in explanation.settings {
                let where_ = setting.place.map { "\(placeText($0)) (\(setting.from))" } ?? "default"
                line("  \("\(setting.directive) \(setting.value)".padding(width))  \(where_)")
            }
        }
        if let target = explanation.target {
            line()
            switch target {
            case .file(let path, let kind, let index):
                line("file \(path): " + kind + (index.map { " (index file '\($0)')" } ?? ""))
            case .script(let interpreter, let scriptName, let file, let kind, let pathInfo):
                line("script \(scriptName) → \(file): \(kind)")
                line("  run by \(interpreter), PATH_INFO '\(pathInfo)'")
            case .upstream(let url, let fields):
                line("upstream \(url)")
                for (name, value) in fields { line("  \(name): \(value)") }
            case .fastcgi(let address, let scriptName, let scriptFilename, let pathInfo, let params):
                line("FastCGI \(address): script \(scriptName) → \(scriptFilename), PATH_INFO '\(pathInfo)'")
                for (name, value) in params { line("  fastcgi_param \(name) \(value)") }
            case .uploadStore(let directory):
                line("upload store \(directory)")
            }
        }
        line()
        let answer = explanation.answer
        line("answer " + (answer.status.map(String.init) ?? "decided by the \(answer.decidedBy)") + ": " + answer.reason)
        for (name, value) in answer.headers { line("  \(name): \(value)") }
        if let page = answer.errorPage {
            let place = page.place.map { " (\(placeText($0)))" } ?? ""
            if page.mode == "redirect" {
                line("  error_page \(page.status) \(page.target)\(place): 302 to it")
            } else {
                let pageAnswer = page.pageStatus.map { "the page answers \($0)" } ?? "the page's answer is not known offline"
                let final = answer.finalStatus.map { "\($0) goes out" } ?? "the final status depends on it"
                line("  error_page \(page.status) \(page.mode == "original" ? "" : page.mode + " ")\(page.target)\(place): "
                     + "an internal GET of the page; \(pageAnswer), \(final)")
            }
        }
        return out
    }

    private static func serverTitle(_ entry: Explanation.ServerEntry) -> String {
        var parts: [String] = []
        if !entry.names.isEmpty { parts.append("server_name " + entry.names.joined(separator: " ")) }
        parts.append("listen " + entry.listens.joined(separator: ", "))
        return (entry.place.map(placeText) ?? "server") + " (" + parts.joined(separator: "; ") + ")"
    }

    private static func placeText(_ place: Explanation.Place) -> String {
        "\(place.path):\(place.line):\(place.column)"
    }

    private static func visible(_ text: String) -> String { DiagnosticRenderer.visible(text) }

    // MARK: JSON

    public static func json(_ explanation: Explanation) -> JSON {
        let request = explanation.request
        var members: [(String, JSON)] = [
            ("version", .int(jsonVersion)),
            ("request", .object([
                ("method", .string(request.method)),
                ("url", .string(request.url)),
                ("target", .string(request.target)),
                ("path", optional(request.path)),
                ("query", optional(request.query)),
                ("host", optional(request.host)),
                ("contentLength", request.contentLength.map(JSON.int) ?? .null),
            ])),
            ("address", explanation.address.map { .object([("listen", .string($0.listen.description)), ("reason", .string($0.reason))]) } ?? .null),
        ]
        if let tls = explanation.tls {
            members.append(("tls", .object([
                ("serverName", optional(tls.serverName)),
                ("certificates", .array(tls.certificates.map(JSON.string))),
                ("keys", .array(tls.keys.map(JSON.string))),
            ] + placeMembers(tls.place) + [
                ("server", tls.server.map { .object(placeMembers($0)) } ?? .null),
                ("reason", .string(tls.reason)),
                ("certificateNames", tls.certificateNames.map { .array($0.map(JSON.string)) } ?? .null),
                ("coversServerName", tls.coversServerName.map(JSON.bool) ?? .null),
            ])))
        } else {
            members.append(("tls", .null))
        }
        if let server = explanation.server {
            members.append(("server", .object([
                ("choice", .string(server.choice)),
                ("chosen", server.entries.first.map(serverJSON) ?? .null),
                ("others", .array(server.entries.dropFirst().map(serverJSON))),
            ])))
        } else {
            members.append(("server", .null))
        }
        if let location = explanation.location {
            members.append(("location", .object([
                ("base", location.base.map(locationJSON) ?? .null),
                ("overlay", location.overlay.map(locationJSON) ?? .null),
                ("scriptPath", optional(location.scriptPath)),
                ("pathInfo", optional(location.pathInfo)),
                ("candidates", .array(location.entries.map(locationJSON))),
            ])))
        } else {
            members.append(("location", .null))
        }
        members.append(("settings", .array(explanation.settings.map { setting in
            .object([("directive", .string(setting.directive)), ("value", .string(setting.value)), ("from", .string(setting.from))]
                    + placeMembers(setting.place))
        })))
        members.append(("target", explanation.target.map(targetJSON) ?? .null))
        let answer = explanation.answer
        var answerMembers: [(String, JSON)] = [
            ("status", answer.status.map(JSON.int) ?? .null),
            ("decidedBy", .string(answer.decidedBy)),
            ("reason", .string(answer.reason)),
            ("headers", .object(answer.headers.map { ($0.name, .string($0.value)) })),
        ]
        if let page = answer.errorPage {
            answerMembers.append(("errorPage", .object([
                ("status", .int(page.status)), ("target", .string(page.target)), ("mode", .string(page.mode)),
                ("pageStatus", page.pageStatus.map(JSON.int) ?? .null),
            ] + placeMembers(page.place))))
        } else {
            answerMembers.append(("errorPage", .null))
        }
        answerMembers.append(("finalStatus", answer.finalStatus.map(JSON.int) ?? .null))
        members.append(("answer", .object(answerMembers)))
        members.append(("notes", .array(explanation.notes.map(JSON.string))))
        return .object(members)
    }

    private static func optional(_ text: String?) -> JSON { text.map(JSON.string) ?? .null }

    private static func placeMembers(_ place: Explanation.Place?) -> [(String, JSON)] {
        guard let place else { return [("file", .null), ("line", .null), ("column", .null)] }
        return [("file", .string(place.path)), ("line", .int(place.line)), ("column", .int(place.column))]
    }

    private static func serverJSON(_ entry: Explanation.ServerEntry) -> JSON {
        .object(placeMembers(entry.place) + [
            ("names", .array(entry.names.map(JSON.string))),
            ("listens", .array(entry.listens.map(JSON.string))),
            ("reason", .string(entry.reason)),
        ])
    }

    private static func locationJSON(_ entry: Explanation.LocationEntry) -> JSON {
        .object([("modifier", .string(entry.modifier)), ("pattern", .string(entry.pattern))] + placeMembers(entry.place) + [
            ("role", .string(entry.role)),
            ("reason", .string(entry.reason)),
        ])
    }

    private static func targetJSON(_ target: Explanation.Target) -> JSON {
        switch target {
        case .file(let path, let kind, let index):
            return .object([("kind", .string("file")), ("path", .string(path)), ("type", .string(kind)), ("index", optional(index))])
        case .script(let interpreter, let scriptName, let file, let kind, let pathInfo):
            return .object([("kind", .string("script")), ("interpreter", .string(interpreter)), ("scriptName", .string(scriptName)),
                            ("path", .string(file)), ("type", .string(kind)), ("pathInfo", .string(pathInfo))])
        case .upstream(let url, let fields):
            return .object([("kind", .string("upstream")), ("url", .string(url)),
                            ("fields", .array(fields.map { .object([("name", .string($0.name)), ("value", .string($0.value))]) }))])
        case .fastcgi(let address, let scriptName, let scriptFilename, let pathInfo, let params):
            return .object([("kind", .string("fastcgi")), ("address", .string(address)), ("scriptName", .string(scriptName)),
                            ("path", .string(scriptFilename)), ("pathInfo", .string(pathInfo)),
                            ("params", .array(params.map { .object([("name", .string($0.name)), ("value", .string($0.value))]) }))])
        case .uploadStore(let directory):
            return .object([("kind", .string("upload store")), ("path", .string(directory))])
        }
    }
}

private extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
