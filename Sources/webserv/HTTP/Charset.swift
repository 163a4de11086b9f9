/// nginx's `charset`: text answers get `; charset=NAME` on their
/// Content-Type unless they name a charset already.
enum Charset {
    /// nginx's default `charset_types`.
    static let types: Set<String> = [
        "text/html", "text/xml", "text/plain", "text/vnd.wap.wml", "application/javascript", "application/rss+xml",
    ]

    /// `contentType` with the charset added where nginx would add it.
    static func apply(_ charset: String, to contentType: String) -> String {
        let parts = contentType.split(separator: ";", omittingEmptySubsequences: false)
        let mediaType = String(parts[0]).trimmingCharacters(in: " \t").lowercased()
        guard types.contains(mediaType) else { return contentType }
        let named = parts.dropFirst().contains {
            String($0).trimmingCharacters(in: " \t").lowercased().hasPrefix("charset=")
        }
        return named ? contentType : contentType + "; charset=" + charset
    }

    /// Applies the location's `charset` to an answer's Content-Type field.
    static func apply(_ charset: String?, to headers: inout [(name: String, value: String)]) {
        guard let charset, let index = headers.firstIndex(where: { $0.name.caseInsensitiveEquals("Content-Type") }) else { return }
        headers[index].value = apply(charset, to: headers[index].value)
    }
}
