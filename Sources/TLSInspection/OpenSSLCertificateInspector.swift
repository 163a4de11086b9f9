import COpenSSL
import ConfLang
import Glibc

/// ConfLang's `CertificateInspector` read with OpenSSL, the library webserv
/// serves TLS with: a file is judged by the same parser that will load it.
/// confcheck and webserv pass it to the checks; ConfLang itself links no TLS.
public struct OpenSSLCertificateInspector: CertificateInspector {
    public init() {}

    public func chain(at path: String) -> Result<CertificateChain, CertificateFileProblem> {
        let bytes: [UInt8]
        switch FileAccess.readFile(path) {
        case .failure(let error): return .failure(.unreadable(error.reason))
        case .success(let read): bytes = read
        }
        ERR_clear_error()
        var certificates: [OpaquePointer] = []
        defer { certificates.forEach { X509_free($0) } }
        let problem: CertificateFileProblem? = Self.withBIO(bytes) { bio in
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) { certificates.append(certificate) }
            // The loop ends at the file's end (no further PEM block) or at a block that does not decode.
            let error = ERR_peek_last_error()
            ERR_clear_error()
            if !certificates.isEmpty && (error == 0 || ERR_GET_REASON(error) == PEM_R_NO_START_LINE) { return nil }
            // What was found instead, then OpenSSL's own reason, which webserv's loading would give.
            if certificates.isEmpty, let missing = Self.missingBlock(bytes, wanted: "CERTIFICATE") {
                return .notPEM("\(missing) (OpenSSL: \(Self.reason(error)))")
            }
            return .invalid(Self.reason(error))
        }
        if let problem { return .failure(problem) }
        let facts = certificates.map(Self.facts)
        var signedByNext: [Bool] = []
        for index in certificates.indices.dropLast() {
            let subject = certificates[index], issuer = certificates[index + 1]
            let named = X509_check_issued(issuer, subject) == X509_V_OK
            let signed = X509_get0_pubkey(issuer).map { X509_verify(subject, $0) == 1 } ?? false
            signedByNext.append(named && signed)
        }
        ERR_clear_error()
        return .success(CertificateChain(certificates: facts, signedByNext: signedByNext))
    }

    public func privateKey(at path: String) -> Result<PrivateKeyFacts, CertificateFileProblem> {
        let bytes: [UInt8]
        switch FileAccess.readFile(path) {
        case .failure(let error): return .failure(.unreadable(error.reason))
        case .success(let read): bytes = read
        }
        var info = stat()
        let everyone = stat(path, &info) == 0 && info.st_mode & S_IROTH != 0
        ERR_clear_error()
        var publicKey: [UInt8] = []
        let problem: CertificateFileProblem? = Self.withBIO(bytes) { bio in
            // No passphrase prompt: a check never waits on a terminal.
            guard let key = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil) else {
                let error = ERR_peek_last_error()
                ERR_clear_error()
                // OpenSSL 3's key decoders say only "unsupported" here: what was found says more.
                if let missing = Self.missingBlock(bytes, wanted: "PRIVATE KEY") { return .notPEM(missing) }
                if Self.contains(bytes, "ENCRYPTED") { return .invalid("the key is protected by a passphrase, which webserv cannot ask for") }
                return .invalid(Self.reason(error))
            }
            defer { EVP_PKEY_free(key) }
            publicKey = Self.der(of: key)
            return nil
        }
        if let problem { return .failure(problem) }
        return .success(PrivateKeyFacts(publicKey: publicKey, readableByEveryone: everyone))
    }

    // MARK: one certificate

    private static func facts(_ certificate: OpaquePointer) -> CertificateFacts {
        var dnsNames: [String] = [], ipAddresses: [String] = []
        if let names = X509_get_ext_d2i(certificate, NID_subject_alt_name, nil, nil) {
            let stack = OpaquePointer(names)
            for index in 0..<max(0, OPENSSL_sk_num(stack)) {
                guard let raw = OPENSSL_sk_value(stack, index) else { continue }
                let name = raw.assumingMemoryBound(to: GENERAL_NAME.self).pointee
                switch name.type {
                case GEN_DNS: if let text = string(name.d.dNSName) { dnsNames.append(text) }
                case GEN_IPADD: if let address = ipAddress(name.d.iPAddress) { ipAddresses.append(address) }
                default: break
                }
            }
            GENERAL_NAMES_free(stack)
        }
        let subject = X509_get_subject_name(certificate)
        var commonName: String?
        let index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1)
        if index >= 0, let entry = X509_NAME_get_entry(subject, index) {
            commonName = utf8(X509_NAME_ENTRY_get_data(entry))
        }
        let publicKey = X509_get0_pubkey(certificate).map(der) ?? []
        return CertificateFacts(subject: oneLine(subject), issuer: oneLine(X509_get_issuer_name(certificate)),
                                dnsNames: dnsNames, ipAddresses: ipAddresses, commonName: commonName,
                                notBefore: seconds(X509_get0_notBefore(certificate)), notAfter: seconds(X509_get0_notAfter(certificate)),
                                isCA: X509_check_ca(certificate) > 0, publicKey: publicKey)
    }

    private static func oneLine(_ name: OpaquePointer?) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        guard let name, X509_NAME_oneline(name, &buffer, Int32(buffer.count)) != nil else { return "" }
        return String(cString: buffer)
    }

    /// An IA5String's bytes (a DNS name is ASCII).
    private static func string(_ value: UnsafePointer<ASN1_STRING>?) -> String? {
        guard let value, let data = ASN1_STRING_get0_data(value) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(value))), as: UTF8.self)
    }

    private static func utf8(_ value: UnsafePointer<ASN1_STRING>?) -> String? {
        guard let value else { return nil }
        var out: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&out, value)
        guard length >= 0, let out else { return nil }
        defer { CRYPTO_free(out, #file, #line) }
        return String(decoding: UnsafeBufferPointer(start: out, count: Int(length)), as: UTF8.self)
    }

    private static func ipAddress(_ value: UnsafePointer<ASN1_STRING>?) -> String? {
        guard let value, let data = ASN1_STRING_get0_data(value) else { return nil }
        let length = Int(ASN1_STRING_length(value))
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : -1
        guard family >= 0, inet_ntop(family, data, &text, socklen_t(text.count)) != nil else { return nil }
        return String(cString: text)
    }

    private static func seconds(_ time: UnsafePointer<ASN1_TIME>?) -> Int64 {
        var parts = tm()
        guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else { return 0 }
        return Int64(timegm(&parts))
    }

    /// SubjectPublicKeyInfo, DER: a certificate's key and a private key's public half compare equal when they pair.
    private static func der(of key: OpaquePointer) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_PUBKEY(key, &out)
        guard length > 0, let out else { return [] }
        defer { CRYPTO_free(out, #file, #line) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    // MARK: support

    private static func withBIO<T>(_ bytes: [UInt8], _ body: (OpaquePointer) -> T?) -> T? {
        bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return body(bio)
        }
    }

    /// What the file holds instead of a `wanted` PEM block, or nil when it has one.
    private static func missingBlock(_ bytes: [UInt8], wanted: String) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        var found: [String] = []
        var rest = Substring(text)
        while let begin = rest.firstRange(of: "-----BEGIN ") {
            let after = rest[begin.upperBound...]
            guard let end = after.firstRange(of: "-----") else { break }
            let label = String(after[..<end.lowerBound])
            if label.hasSuffix(wanted) && !(wanted == "CERTIFICATE" && label.hasSuffix("REQUEST")) { return nil }
            if !found.contains(label) { found.append(label) }
            rest = after[end.upperBound...]
        }
        if found.isEmpty {
            return bytes.first == 0x30 ? "it looks like DER (binary); convert it to PEM" : "it holds no '-----BEGIN' block"
        }
        return "it holds no \(wanted) block, only \(found.joined(separator: ", "))"
    }

    private static func contains(_ bytes: [UInt8], _ word: String) -> Bool {
        String(decoding: bytes, as: UTF8.self).contains(word)
    }

    private static func reason(_ error: UInt) -> String {
        guard error != 0, let text = ERR_reason_error_string(error) else { return "OpenSSL could not decode it" }
        return String(cString: text)
    }
}
