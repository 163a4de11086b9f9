/// nginx's access phase in `--explain`: `allow`/`deny` with the client's
/// address (`--from`), `auth_basic` with the request's `Authorization`
/// field, combined by `satisfy`, as webserv's `AccessPhase` does.
extension Explaining {
    mutating func applyAccessPhase(to answer: inout Explanation.Answer, decision: RequestDecision, route: Router.Route) {
        guard decision.passesAccessPhase else { return }
        let settings = route.settings
        let rules = settings.accessRules.rules
        let auth = settings.basicAuth
        guard !rules.isEmpty || auth.isOn else { return }
        let ruleList = rules.map { ($0.allows ? "allow " : "deny ") + $0.text }.joined(separator: "; ")
        // The address rules: allowed, denied, or nothing to say (none holds, or no --from given).
        var addressAllows: Bool?
        var addressReason = ""
        if !rules.isEmpty {
            guard let client = request.clientAddress else {
                notes.append("the answer depends on the client's address (\(ruleList)); give --from ADDRESS to see it")
                return
            }
            let (allowed, index) = settings.accessRules.decide(client: client)
            if let index {
                addressAllows = allowed
                addressReason = "'\(allowed ? "allow" : "deny") \(rules[index].text)' is the first rule that holds \(client)"
            } else {
                addressReason = "no rule holds \(client) (\(ruleList)): not refused by address"
            }
        }
        let hasCredentials = request.headers.contains { $0.name.lowercased() == "authorization" }
        let realm = auth.realm ?? ""
        let challenge = [("WWW-Authenticate", "Basic realm=\"\(realm)\"")]
        let passwordNeeded = auth.isOn && !hasCredentials
        let satisfyAny = settings.satisfyAny
        if addressAllows == false, !satisfyAny {
            answer = self.answer(403, by: "configuration", addressReason + " (nginx's access phase, before the handler)")
        } else if passwordNeeded, !(satisfyAny && addressAllows == true) {
            answer = self.answer(401, by: "configuration",
                                 "auth_basic \"\(realm)\" asks for a password (auth_basic_user_file \(auth.userFile ?? "")) and the request has no Authorization field"
                                 + (addressReason.isEmpty ? "" : "; \(addressReason)"), headers: challenge)
        } else {
            if !addressReason.isEmpty { notes.append(addressReason + (satisfyAny && addressAllows == true ? " (satisfy any: no password asked)" : "")) }
            if auth.isOn, hasCredentials, !(satisfyAny && addressAllows == true) {
                notes.append("the Authorization field's password is checked against \(auth.userFile ?? "") (401 when it is wrong; confcheck does not check it)")
            }
        }
    }
}
