import COpenSSL

/// One-shot message digests from OpenSSL's libcrypto (EVP_Digest), for the
/// password hashes of htpasswd files.
enum Digest {
    enum Algorithm { case md5, sha1, sha256, sha512 }

    static func hash(_ algorithm: Algorithm, _ bytes: [UInt8]) -> [UInt8] {
        let type: OpaquePointer?
        switch algorithm {
        case .md5: type = EVP_md5()
        case .sha1: type = EVP_sha1()
        case .sha256: type = EVP_sha256()
        case .sha512: type = EVP_sha512()
        }
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &output, &length, type, nil)
        }
        // EVP_Digest fails only without memory; an empty digest then matches no stored hash.
        return ok == 1 ? Array(output.prefix(Int(length))) : []
    }
}
