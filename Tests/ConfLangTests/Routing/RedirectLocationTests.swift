import XCTest
@testable import ConfLang

final class RedirectLocationTests: XCTestCase {
    private let local: () -> (host: String, port: Int)? = { ("127.0.0.1", 8080) }

    func testAPathBecomesAnAbsoluteURLAsInNginx() {
        XCTAssertEqual(RedirectLocation.absolute("/dir/", requestHost: "Example.COM.:9000", local: local),
                       "http://example.com:8080/dir/", "the host asked for, the port reached")
        XCTAssertEqual(RedirectLocation.absolute("/dir/", requestHost: "[::1]:8080", local: local), "http://[::1]:8080/dir/")
        XCTAssertEqual(RedirectLocation.absolute("/a?b", requestHost: nil, local: local), "http://127.0.0.1:8080/a?b",
                       "no Host: the address the client connected to")
        XCTAssertEqual(RedirectLocation.absolute("/a", requestHost: nil, local: { ("::1", 8080) }), "http://[::1]:8080/a")
        // Over TLS, as nginx: https, and the port left out when it is 443.
        XCTAssertEqual(RedirectLocation.absolute("/a", requestHost: "x", secure: true, local: { ("127.0.0.1", 443) }), "https://x/a")
        XCTAssertEqual(RedirectLocation.absolute("/a", requestHost: "x:8443", secure: true, local: { ("127.0.0.1", 8443) }), "https://x:8443/a")
        XCTAssertEqual(RedirectLocation.absolute("/a", requestHost: "x", secure: true, local: { ("127.0.0.1", 80) }), "https://x:80/a")
        XCTAssertEqual(RedirectLocation.absolute("/a", requestHost: "x", local: { ("127.0.0.1", 80) }), "http://x/a",
                       "port 80 is left out")
    }

    func testAnythingElseIsLeftAlone() {
        var asked = false
        let counting: () -> (host: String, port: Int)? = { asked = true; return ("127.0.0.1", 8080) }
        XCTAssertEqual(RedirectLocation.absolute("https://elsewhere/x", requestHost: "x", local: counting), "https://elsewhere/x")
        XCTAssertEqual(RedirectLocation.absolute("relative/x", requestHost: "x", local: counting), "relative/x")
        XCTAssertFalse(asked, "the socket is asked only for a path")
        XCTAssertEqual(RedirectLocation.absolute("/x", requestHost: "x", local: { nil }), "/x", "no address: as it was")
    }

    func testPercentEncodingOfPathsAndNames() {
        XCTAssertEqual(PercentEncoding.path("/a b/ü?#%/x-y_z.~!$&'()*+,;=:@"), "/a%20b/%C3%BC%3F%23%25/x-y_z.~!$&'()*+,;=:@")
        XCTAssertEqual(PercentEncoding.path("/\u{1}\u{7F}\"<>\\^`{|}"), "/%01%7F%22%3C%3E%5C%5E%60%7B%7C%7D")
        XCTAssertEqual(PercentEncoding.component("a b/c&d.txt"), "a%20b%2Fc%26d.txt")
        XCTAssertEqual(PercentEncoding.component("Az09-._~"), "Az09-._~")
    }
}
