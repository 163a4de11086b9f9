/// What confcheck and webserv's checks need to know about a certificate or a
/// key file, asked of whoever can read one. ConfLang holds the checks and
/// never links a TLS library: the reader is passed in (`TLSInspection`'s
/// OpenSSL one by confcheck and webserv, a fake by the checks' tests).
public protocol CertificateInspector {
    /// The certificates of a PEM file, in the order written.
    func chain(at path: String) -> Result<CertificateChain, CertificateFileProblem>
    /// A PEM private key's public half, and who may read the file.
    func privateKey(at path: String) -> Result<PrivateKeyFacts, CertificateFileProblem>
}

/// One certificate as the checks see it.
public struct CertificateFacts: Equatable {
    /// One line each, as OpenSSL prints them (`/CN=example.com`).
    public var subject: String
    public var issuer: String
    /// The subjectAltName's DNS names and IP addresses, and the subject's CN.
    public var dnsNames: [String]
    public var ipAddresses: [String]
    public var commonName: String?
    /// Seconds since 1970 (UTC).
    public var notBefore: Int64
    public var notAfter: Int64
    /// A CA certificate (basicConstraints CA:TRUE): an intermediate or a root, never a leaf.
    public var isCA: Bool
    /// The public key, DER (SubjectPublicKeyInfo): a key matches when its public half is the same.
    public var publicKey: [UInt8]

    public init(subject: String, issuer: String, dnsNames: [String] = [], ipAddresses: [String] = [], commonName: String? = nil,
                notBefore: Int64, notAfter: Int64, isCA: Bool = false, publicKey: [UInt8]) {
        self.subject = subject
        self.issuer = issuer
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.commonName = commonName
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.isCA = isCA
        self.publicKey = publicKey
    }

    /// The names a client checks (RFC 6125 §6.4.4: the CN only when there is no DNS name).
    public var names: [String] {
        let dns = dnsNames.isEmpty ? (commonName.map { [$0] } ?? []) : dnsNames
        return dns + ipAddresses
    }
}

/// A PEM file's certificates, the leaf first when the file is right.
public struct CertificateChain: Equatable {
    public var certificates: [CertificateFacts]
    /// `signedByNext[i]`: certificate i+1 issued certificate i (its name and its signature).
    public var signedByNext: [Bool]

    public init(certificates: [CertificateFacts], signedByNext: [Bool]) {
        self.certificates = certificates
        self.signedByNext = signedByNext
    }
}

public struct PrivateKeyFacts: Equatable {
    /// The public half, DER (SubjectPublicKeyInfo), comparable with `CertificateFacts.publicKey`.
    public var publicKey: [UInt8]
    /// Mode `o+r`: any local user can read the key.
    public var readableByEveryone: Bool

    public init(publicKey: [UInt8], readableByEveryone: Bool) {
        self.publicKey = publicKey
        self.readableByEveryone = readableByEveryone
    }
}

/// Why a certificate or key file gave no facts.
public enum CertificateFileProblem: Error, Equatable {
    /// Missing, a directory, no permission: the system's reason (`strerror`).
    case unreadable(String)
    /// No PEM block of the kind wanted (a DER file, a key where a certificate
    /// belongs): what was found instead, if anything.
    case notPEM(String)
    /// A PEM block that does not decode, or a key behind a passphrase: OpenSSL's reason.
    case invalid(String)
}
