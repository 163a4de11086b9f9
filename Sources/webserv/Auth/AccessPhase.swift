import ConfLang

/// nginx's access phase for one request: `allow`/`deny` (the access module)
/// first, then `auth_basic`, combined by `satisfy`. It runs where
/// `RequestDecision.passesAccessPhase` says: after `return`, before a handler.
struct AccessPhase {
    /// What one check said, as nginx's handlers return it.
    enum Verdict: Equatable {
        /// Let in (an `allow` matched, or the password is right).
        case allowed
        /// Nothing to say (no rule matched, or no password asked for here).
        case declined
        case forbidden
        case unauthorized
        /// The user file cannot be read: 500, as nginx (one that does not exist is `forbidden`).
        case failed
    }

    /// The answer that ends the request here, or nil when it goes on; `log`
    /// gets the error log's lines (nginx's wording).
    static func check(_ settings: LocationConfig, client: String, authorization: String?, userFiles: UserFiles,
                      log: (_ level: String, _ message: String) -> Void) -> Response? {
        let address = addressVerdict(settings.accessRules, client: client, log: log)
        if !settings.satisfyAny {
            if address == .forbidden { return Response(status: 403) }
            return answer(authVerdict(settings.basicAuth, authorization: authorization, userFiles: userFiles, log: log),
                          realm: settings.basicAuth.realm)
        }
        // satisfy any: one handler letting the request in is enough; else 401 before 403.
        if address == .allowed { return nil }
        let password = authVerdict(settings.basicAuth, authorization: authorization, userFiles: userFiles, log: log)
        switch password {
        case .allowed: return nil
        case .failed, .unauthorized, .forbidden: return answer(password, realm: settings.basicAuth.realm)
        case .declined: return address == .forbidden ? Response(status: 403) : nil
        }
    }

    private static func answer(_ verdict: Verdict, realm: String?) -> Response? {
        switch verdict {
        case .allowed, .declined: return nil
        case .forbidden: return Response(status: 403)
        case .failed: return Response(status: 500)
        case .unauthorized:
            return Response(status: 401, headers: [("WWW-Authenticate", "Basic realm=\"\(quoted(realm ?? ""))\"")])
        }
    }

    /// A realm's `"` and `\` escaped and CR/LF dropped, so that the field
    /// stays one quoted string on one line (nginx copies the realm as written).
    private static func quoted(_ realm: String) -> String {
        var result = ""
        for character in realm.unicodeScalars where character != "\r" && character != "\n" {
            if character == "\"" || character == "\\" { result.unicodeScalars.append("\\") }
            result.unicodeScalars.append(character)
        }
        return result
    }

    static func addressVerdict(_ rules: AccessRules, client: String, log: (String, String) -> Void) -> Verdict {
        let (allowed, rule) = rules.decide(client: client)
        guard rule != nil else { return .declined }
        if allowed { return .allowed }
        log("error", "access forbidden by rule, client: \(client)")
        return .forbidden
    }

    static func authVerdict(_ auth: BasicAuth, authorization: String?, userFiles: UserFiles,
                            log: (String, String) -> Void) -> Verdict {
        guard auth.isOn, let path = auth.userFile else { return .declined }
        guard let credentials = BasicCredentials.parse(authorization) else {
            if authorization != nil { log("info", "client sent invalid or no Basic credentials") }
            return .unauthorized
        }
        let file: Htpasswd
        switch userFiles.file(at: path) {
        case .success(let read): file = read
        case .failure(let error):
            // nginx: a file that does not exist is 403, any other failure 500 (crit).
            log(error.isMissing ? "error" : "crit", error.message)
            return error.isMissing ? .forbidden : .failed
        }
        guard let hash = file.hash(for: credentials.user) else {
            log("error", "user \"\(credentials.user)\" was not found in \"\(path)\"")
            return .unauthorized
        }
        if case .unsupported(let what) = PasswordHash.scheme(of: hash) {
            log("error", "user \"\(credentials.user)\" in \"\(path)\": the password is \(what), which webserv does not check")
            return .unauthorized
        }
        guard PasswordHash.verify(password: credentials.password, hash: hash) else {
            log("error", "user \"\(credentials.user)\": password mismatch")
            return .unauthorized
        }
        return .allowed
    }
}
