import ConfLang

extension Response {
    /// `expires`, as nginx's headers filter applies it: on 2xx/3xx answers
    /// (`Expires.applies`), in place of any Expires and Cache-Control the
    /// answer has (a script's or an upstream's).
    mutating func applyExpires(_ expires: Expires, now: Int) {
        guard Expires.applies(toStatus: status) else { return }
        var lastModified: Int?
        if case .afterModification = expires {
            lastModified = fields.first { $0.name.caseInsensitiveEquals("Last-Modified") }.flatMap { HTTPDate.parse($0.value) }
        }
        guard let (time, cacheControl) = expires.fields(now: now, lastModified: lastModified) else { return }
        headers.removeAll { $0.name.caseInsensitiveEquals("Expires") || $0.name.caseInsensitiveEquals("Cache-Control") }
        headers.append((name: "Expires", value: HTTPDate.format(time)))
        headers.append((name: "Cache-Control", value: cacheControl))
    }
}
