import XCTest
@testable import ConfLang

/// A `proxy_pass` host name must resolve at check time, as nginx requires
/// ("host not found in upstream"): webserv resolves it when it starts.
final class ProxyHostTests: XCTestCase {
    func testAnUnresolvableUpstreamIsAnError() throws {
        let found = diagnostics(site("location /api/ { proxy_pass http://backend.test:8080/; }"), hostResolver: HostResolver { _ in false })
        let error = try XCTUnwrap(found.first { $0.id == .proxyHostNotFound })
        XCTAssertEqual(error.severity, .error)
        XCTAssertTrue(error.message.hasPrefix("host not found in upstream 'backend.test' of 'proxy_pass'"), error.message)
        XCTAssertEqual(error.range.text, "http://backend.test:8080/")
    }

    func testNamesAreResolvedOnceAndLiteralsNever() {
        var asked: [String] = []
        let resolver = HostResolver { name in asked.append(name); return name == "good.test" }
        let text = site("location /a/ { proxy_pass http://127.0.0.1:9/; }\nlocation /b/ { proxy_pass http://good.test/; }\n"
            + "location /c/ { proxy_pass http://bad.test:81/; }\nlocation /d/ { proxy_pass http://bad.test:82/; }")
        let errors = findings(text, hostResolver: resolver).filter { $0.contains("proxy.host-not-found") }
        XCTAssertEqual(errors, ["6:27 error proxy.host-not-found", "7:27 error proxy.host-not-found"])
        XCTAssertEqual(asked, ["good.test", "bad.test"])
    }

    /// webserv connects to upstreams over IPv4 and refused to start with an IPv6 literal that -t had passed.
    func testAnIPv6UpstreamIsAnError() throws {
        let found = diagnostics(site("location / { proxy_pass http://[::1]:8080; }"), hostResolver: HostResolver { _ in true })
        XCTAssertEqual(found.map(\.summary), ["4:25 error value.proxy-url"])
        let message = try XCTUnwrap(found.first).message
        XCTAssertTrue(message.contains("IPv4"), message)
    }

    func testSyntaxOnlyResolvesNothing() {
        let resolver = HostResolver { name in XCTFail("asked about \(name)"); return false }
        XCTAssertEqual(lint(site("location / { proxy_pass http://nowhere.test; }"), hostResolver: resolver, syntaxOnly: true).diagnostics.map(\.summary), [])
    }

    /// getaddrinfo itself: `.invalid` never resolves (RFC 6761).
    func testTheSystemResolver() {
        XCTAssertEqual(findings(site("location / { proxy_pass http://nonexistent.invalid:8080; }")).filter { $0.contains("error") },
                       ["4:25 error proxy.host-not-found"])
    }
}
