import XCTest
@testable import ConfLang

/// A `listen` host name must resolve, as in nginx; the resolver is injected.
final class ListenHostTests: XCTestCase {
    /// Answers from `known` and records every name it was asked about.
    private final class FakeResolver {
        let known: Set<String>
        var asked: [String] = []
        init(_ known: Set<String>) { self.known = known }
        var resolver: HostResolver { HostResolver { name in self.asked.append(name); return self.known.contains(name) } }
    }

    func testOnlyNamesAreResolvedAndEachOnce() {
        let fake = FakeResolver(["good.test", "localhost"])
        let text = site("listen 8080;\nlisten *:81;\nlisten 127.0.0.1:82;\nlisten 0.0.0.0:83;\nlisten [::1]:84;\nlisten 10.0.0.1;\n"
            + "listen good.test:85;\nlisten localhost:86;\nlisten bad.test:87;\nlisten bad.test:88;")
        XCTAssertEqual(findings(text, hostResolver: fake.resolver), ["12:8 error listen.host-not-found", "13:8 error listen.host-not-found"])
        XCTAssertEqual(fake.asked, ["good.test", "localhost", "bad.test"], "no IP literal, `*` or plain port is resolved")
    }

    func testMessageNamesTheAddressAsNginxDoes() throws {
        let found = diagnostics(site("listen nowhere.test:8080 default_server;"), hostResolver: HostResolver { _ in false })
        let error = try XCTUnwrap(found.first)
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(error.id, .listenHostNotFound)
        XCTAssertTrue(error.message.hasPrefix("host not found in 'nowhere.test:8080' of 'listen'"), error.message)
        XCTAssertEqual(error.range.text, "nowhere.test:8080")
    }

    func testABareHostNameIsResolvedToo() {
        XCTAssertEqual(findings(site("listen nowhere.test;"), hostResolver: HostResolver { _ in false }),
                       ["4:8 error listen.host-not-found"])
    }

    func testSyntaxOnlyResolvesNothing() {
        let resolver = HostResolver { name in XCTFail("asked about \(name)"); return false }
        XCTAssertEqual(lint(site("listen nowhere.test:80;"), hostResolver: resolver, syntaxOnly: true).diagnostics.map(\.summary), [])
    }

    func testAnInvalidAddressIsNotResolved() {
        let resolver = HostResolver { name in XCTFail("asked about \(name)"); return false }
        XCTAssertEqual(findings(site("listen bad/host:80;"), hostResolver: resolver), ["4:8 error value.address"])
    }

    /// getaddrinfo itself: `.invalid` never resolves (RFC 6761), localhost does.
    func testTheSystemResolver() {
        XCTAssertEqual(findings(site("listen confcheck-test.invalid:8080;")), ["4:8 error listen.host-not-found"])
        XCTAssertTrue(HostResolver.system.resolves("localhost"))
        XCTAssertTrue(HostResolver.system.resolves("127.0.0.1"))
        XCTAssertFalse(HostResolver.system.resolves("confcheck-test.invalid"))
    }
}
