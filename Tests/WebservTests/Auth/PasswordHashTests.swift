import XCTest
@testable import webserv

/// Each htpasswd scheme against hashes made by other implementations: bcrypt,
/// SHA-512/256 crypt by glibc/libxcrypt's crypt(3) (python3's `crypt`),
/// apr1 by `openssl passwd -apr1`, `{SHA}` by python3's hashlib, and
/// OpenBSD's published bcrypt vector ("U*U").
final class PasswordHashTests: XCTestCase {
    private let password = Array("correct horse".utf8)

    private func assertHashes(_ password: [UInt8], _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(PasswordHash.verify(password: password, hash: expected), expected, file: file, line: line)
        XCTAssertFalse(PasswordHash.verify(password: password + [0x21], hash: expected), "one byte more", file: file, line: line)
        XCTAssertFalse(PasswordHash.verify(password: Array(password.dropLast()), hash: expected), "one byte less", file: file, line: line)
    }

    func testBcrypt() {
        XCTAssertEqual(Bcrypt.hash(password: Array("U*U".utf8), setting: "$2a$05$CCCCCCCCCCCCCCCCCCCCC."),
                       "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "OpenBSD's vector")
        assertHashes(password, "$2b$04$abcdefghijklmnopqrstuujydOTSfIH/d5oUHpsygqV5X9xJLQc6e")
        assertHashes(password, "$2y$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2")
        assertHashes(password, "$2a$04$......................IBkH8pjfkDYmjZtzsiFYGYLacsaGHyW")
        XCTAssertTrue(PasswordHash.verify(password: [], hash: "$2b$04$abcdefghijklmnopqrstuubyCG3zY1GIXMyxfivm.ClDiInHzxjiq"))
        // bcrypt reads 72 bytes: 80 and 72 'x's hash alike, as in crypt(3).
        let long = "$2b$04$abcdefghijklmnopqrstuubzadhGtS2zEF.gu0yd0opP6cVzb.e0i"
        XCTAssertTrue(PasswordHash.verify(password: Array(repeating: 120, count: 80), hash: long))
        XCTAssertTrue(PasswordHash.verify(password: Array(repeating: 120, count: 72), hash: long))
        XCTAssertFalse(PasswordHash.verify(password: Array(repeating: 120, count: 71), hash: long))
        for broken in ["$2b$04$abc", "$2b$99$abcdefghijklmnopqrstuujydOTSfIH/d5oUHpsygqV5X9xJLQc6e",
                       "$2b$04$abcdefghijklmnopqrstu!jydOTSfIH/d5oUHpsygqV5X9xJLQc6e", "$2x$04$abcdefghijklmnopqrstuujydOTSfIH/d5oUHpsygqV5X9xJLQc6e"] {
            XCTAssertFalse(PasswordHash.verify(password: password, hash: broken), broken)
        }
    }

    func testSHA512Crypt() {
        assertHashes(password, "$6$saltsalt$hRM5XZ86KXEw9UOmjigeVqFgULtFB2sgpC9lXQDfMib3Zgw7mEiUvBJI2EplzfAqxL5Vvwp2scFtv/uamSo5z0")
        assertHashes(password, "$6$rounds=1000$longersaltthan16$/VJ1YzbDZJ2GZp7zyz0OcJAcHoeIH4NeO0HAVdcEClhxmMHAd83AaYQ8VCTkaaJPOUWPJbHIf2hvJWarf5rYg1")
        XCTAssertTrue(PasswordHash.verify(password: [], hash: "$6$s$.ZBEl9liET9mKM6jGxl//vp8wOnIJwfkp.7sG2Ahu2q68bf4LasDRE6k5T5NPzLqBFx3oUbMl6xWpBsFfgm6.."))
        assertHashes(Array("pw".utf8), "$6$q$nZYSq/QE5suX/o5VKwlLPPyaukKypQow6slCHkmLHIgrDK9vQZREL7iBRfbVex4GsABJtjgvC4ABPKBtBAFmW1")
    }

    func testSHA256Crypt() {
        assertHashes(password, "$5$saltsalt$myjXcpMpE2Ofk7fj9hqyNYSn6lmWG4Mqnjx.KIRRr4/")
        assertHashes(Array(repeating: 97, count: 70), "$5$rounds=2000$x$siH.ZB.ym0zYwCVwdNtcxYIYy7TSQFJCifo/BRMsuR1")
    }

    func testAPR1() {
        assertHashes(password, "$apr1$sAlT1234$wIZPmXhFOg3mYuRXakVFy0")
        XCTAssertTrue(PasswordHash.verify(password: [], hash: "$apr1$ab$S8K6Sgp3W8c9Jb6LxgywZ."))
        assertHashes(Array("a-longer-password-than-sixteen-bytes".utf8), "$apr1$xyz$rnr4vrRzHL1FPxBnMcpqy0")
    }

    func testSHA1() {
        assertHashes(password, "{SHA}L55TUjtiq8FBorTWAZ0jy6g129A=")
    }

    func testUnsupportedSchemesNeverMatch() {
        XCTAssertEqual(PasswordHash.scheme(of: "abJnggxhB/yWI"), .unsupported("crypt(3) DES (eight characters of the password at most)"))
        XCTAssertFalse(PasswordHash.verify(password: Array("password".utf8), hash: "{PLAIN}password"))
        XCTAssertFalse(PasswordHash.verify(password: Array("password".utf8), hash: "password"))
        XCTAssertFalse(PasswordHash.verify(password: [], hash: ""))
        guard case .unsupported = PasswordHash.scheme(of: "$1$salt$hash") else { return XCTFail("$1$ is refused") }
    }

    func testComparisonLooksAtEveryByte() {
        XCTAssertTrue(PasswordHash.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(PasswordHash.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(PasswordHash.constantTimeEqual([1, 2, 3], [1, 2]))
        XCTAssertFalse(PasswordHash.constantTimeEqual([], [0]))
        XCTAssertFalse(PasswordHash.constantTimeEqual(Array(repeating: 0, count: 256), []), "a length difference of 256 is no match")
    }
}

/// htpasswd files and `Authorization: Basic` as nginx reads them.
final class HtpasswdTests: XCTestCase {
    func testLinesCommentsAndTheFirstEntryOfAUser() {
        let file = Htpasswd(Array("# admins\r\nalice:$apr1$x$y:Alice Liddell\r\n\nbob:{SHA}abc=\nalice:second\n:nameless\nnocolon\ncarol:".utf8))
        XCTAssertEqual(file.hash(for: "alice"), "$apr1$x$y", "the hash ends at ':', the first line counts")
        XCTAssertEqual(file.hash(for: "bob"), "{SHA}abc=")
        XCTAssertEqual(file.hash(for: "carol"), "")
        XCTAssertNil(file.hash(for: "# admins"))
        XCTAssertNil(file.hash(for: "nocolon"))
        XCTAssertNil(file.hash(for: "dave"))
    }

    func testBasicCredentials() {
        // "alice:open sesame" and "bob:pa:ss" (the password may hold ':').
        XCTAssertEqual(BasicCredentials.parse("Basic YWxpY2U6b3BlbiBzZXNhbWU=")?.user, "alice")
        XCTAssertEqual(BasicCredentials.parse("basic YWxpY2U6b3BlbiBzZXNhbWU=")?.password, Array("open sesame".utf8))
        XCTAssertEqual(BasicCredentials.parse("BASIC Ym9iOnBhOnNz")?.password, Array("pa:ss".utf8))
        XCTAssertEqual(BasicCredentials.parse("Basic OnNlY3JldA==")?.user, "", "an empty user name")
        for bad in [nil, "", "Basic", "Basic ", "Bearer YWxpY2U6eA==", "Basic YWxpY2U", "Basic YWxp*2U6eA==", "Basic =YWxp",
                    "Digest username=\"a\"", "BasicYWxpY2U6eA=="] {
            XCTAssertNil(BasicCredentials.parse(bad), bad ?? "nil")
        }
    }
}
