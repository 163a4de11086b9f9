import XCTest
@testable import ConfLang

/// The one plan of the fields a proxied request carries (webserv writes it,
/// `--explain` lists it): order, replacement, the client's fields and their
/// absence, an empty `proxy_set_header`, the framing.
final class UpstreamFieldPlanTests: XCTestCase {
    private let upstream = Values.ProxyURL(host: "app.internal", port: 8080, path: nil)
    private let client: [(name: String, value: String)] = [
        ("Host", "shop.example"), ("Connection", "keep-alive, X-Hop"), ("X-Hop", "1"), ("User-Agent", "ua"),
        ("X-Forwarded-For", "192.0.2.9"), ("X-Forwarded-Proto", "https"), ("Content-Length", "3"), ("Expect", "100-continue"),
        ("TE", "trailers"), ("Accept", "*/*"),
    ]

    private func plan(_ setHeaders: [(String, String)] = [], passHeaders: Bool = true, secure: Bool = false,
                      framing: UpstreamFieldPlan.BodyFraming = .none) -> [String] {
        var fields: [String] = []
        UpstreamFieldPlan.fields(setHeaders: setHeaders.map { ProxySetHeader(name: $0.0, value: VariableTemplate.compiled($0.1)) },
                                 passHeaders: passHeaders, upstream: upstream, clientFields: client, clientAddress: "10.1.2.3",
                                 secure: secure, framing: framing, evaluate: { $0.source.uppercased() }) { name, value in
            fields.append(value.map { "\(name): \($0)" } ?? "no \(name)")
        }
        return fields
    }

    func testTheClientsFieldsBetweenHostAndWebservsOwn() {
        XCTAssertEqual(plan(framing: .length(3)), [
            "Host: app.internal:8080", "User-Agent: ua", "Accept: */*",
            "X-Forwarded-For: 192.0.2.9, 10.1.2.3", "X-Forwarded-Proto: http", "Content-Length: 3",
        ])
        XCTAssertEqual(plan(secure: true).filter { $0.hasPrefix("X-Forwarded-Proto") }, ["X-Forwarded-Proto: https"])
    }

    func testProxySetHeaderReplacesByNameAndAnEmptyValueSendsNone() {
        XCTAssertEqual(plan([("host", "x"), ("X-Forwarded-For", ""), ("user-agent", "mine"), ("Content-Length", "9")], framing: .chunked), [
            "Accept: */*", "X-Forwarded-Proto: http", "host: X", "no X-Forwarded-For", "user-agent: MINE",
            "Transfer-Encoding: chunked",
        ])
    }

    /// proxy_pass_request_headers off: none of the client's fields, its X-Forwarded-For neither.
    func testWithoutRequestHeadersOnlyTheConfiguredAndWebservsOwnGo() {
        XCTAssertEqual(plan([("X-Kept", "k")], passHeaders: false), [
            "Host: app.internal:8080", "X-Forwarded-For: 10.1.2.3", "X-Forwarded-Proto: http", "X-Kept: K",
        ])
    }

    func testFraming() {
        XCTAssertEqual(UpstreamFieldPlan.framing(passBody: true, setBodyLength: nil, clientChunked: true, clientLength: nil), .chunked)
        XCTAssertEqual(UpstreamFieldPlan.framing(passBody: true, setBodyLength: nil, clientChunked: false, clientLength: 5), .length(5))
        XCTAssertEqual(UpstreamFieldPlan.framing(passBody: false, setBodyLength: nil, clientChunked: true, clientLength: nil), .none)
        XCTAssertEqual(UpstreamFieldPlan.framing(passBody: false, setBodyLength: 7, clientChunked: true, clientLength: nil), .length(7))
    }
}
