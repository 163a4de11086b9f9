/// Whether a certificate's names cover a host name, as a client checks them
/// (RFC 6125 §6.4.3, as browsers and OpenSSL apply it): case-insensitive, a
/// trailing dot ignored, and a `*` only as the whole left-most label, standing
/// for exactly one label (`*.example.com` covers `a.example.com`, not
/// `example.com` nor `a.b.example.com`).
public enum CertificateNames {
    public static func covers(_ certificateName: String, host: String) -> Bool {
        let pattern = normalized(certificateName), name = normalized(host)
        guard !pattern.isEmpty, !name.isEmpty else { return false }
        guard pattern.hasPrefix("*.") else { return pattern == name }
        let suffix = pattern.dropFirst(1) // ".example.com"
        // The wildcard must stand before at least two labels: `*.com` covers nothing.
        guard suffix.dropFirst().contains("."), name.hasSuffix(suffix) else { return false }
        let label = name.dropLast(suffix.count)
        return !label.isEmpty && !label.contains(".")
    }

    /// The host names a `server_name` stands for that a certificate must
    /// cover; nil for names no certificate can name (a regex, `_`, `""`, a
    /// trailing wildcard `www.example.*`). nginx's `*.example.com` is checked
    /// as the certificate name `*.example.com`; `.example.com` stands for
    /// `example.com` and `*.example.com`.
    public static func hosts(forServerName serverName: String) -> [String]? {
        let name = serverName.lowercased()
        if name.isEmpty || name == "_" || name.hasPrefix("~") || name.hasSuffix(".*") || name.contains("$") { return nil }
        if name.hasPrefix(".") { return [String(name.dropFirst()), "*" + name] }
        return [name]
    }

    /// A server_name of nginx's `*.example.com` form is covered by the same
    /// wildcard on the certificate; any other name by `covers`.
    public static func certificate(names: [String], cover host: String) -> Bool {
        if host.hasPrefix("*.") { return names.contains { normalized($0) == normalized(host) } }
        return names.contains { covers($0, host: host) }
    }

    private static func normalized(_ name: String) -> String {
        let lower = name.lowercased()
        return lower.hasSuffix(".") ? String(lower.dropLast()) : lower
    }
}
