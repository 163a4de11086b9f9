import XCTest
@testable import ConfLang

/// Hover text, the outline, and the context guessed for a lone fragment.
final class EditorReferenceTests: XCTestCase {
    func testHoverOnADirectiveNameShowsItsTableEntry() throws {
        let (file, offset) = parsedAtCursor("http {\n    client_max_bo|dy_size 10m;\n}\n")
        let (markdown, range) = try XCTUnwrap(DirectiveReference.hover(at: offset, in: file))
        XCTAssertEqual(range.text, "client_max_body_size")
        XCTAssertTrue(markdown.contains("client_max_body_size SIZE;"))
        XCTAssertTrue(markdown.contains("largest request body (0: unlimited)"))
        XCTAssertTrue(markdown.contains("`http`, `server`, `location`"))
        XCTAssertTrue(markdown.contains("**Default:** `1m`"))
        XCTAssertTrue(markdown.contains("**Inherited:** yes"))
    }

    /// `server` in an upstream block is the group's entry, not the server block (it showed the block's reference).
    func testHoverOnAnUpstreamEntry() throws {
        let (file, offset) = parsedAtCursor("http { upstream app { ser|ver 127.0.0.1:9001 weight=2; } }")
        let (markdown, range) = try XCTUnwrap(DirectiveReference.hover(at: offset, in: file))
        XCTAssertEqual(range.text, "server")
        XCTAssertTrue(markdown.contains("weight=N"), markdown)
    }

    func testHoverOnArgumentsAndUnknownNames() throws {
        let (file, offset) = parsedAtCursor("http { server { location |^ /img/ { } } }")
        XCTAssertTrue(try XCTUnwrap(DirectiveReference.hover(at: offset, in: file)).markdown.contains("prefix match"))
        let (unknown, at) = parsedAtCursor("http { bog|us 1; }")
        XCTAssertNil(DirectiveReference.hover(at: at, in: unknown))
        let (plain, argument) = parsedAtCursor("http { root /sr|v; }")
        XCTAssertNil(DirectiveReference.hover(at: argument, in: plain))
    }

    func testSyntaxLinesForEveryDirective() {
        XCTAssertEqual(DirectiveReference.syntax(of: DirectiveTable.spec(named: "listen")!), "listen ADDRESS[:PORT] [ssl] [default_server];")
        XCTAssertEqual(DirectiveReference.syntax(of: DirectiveTable.spec(named: "error_page")!), "error_page CODE... [=RESPONSE] URI;")
        XCTAssertEqual(DirectiveReference.syntax(of: DirectiveTable.spec(named: "location")!), "location [= | ^ | $] PATTERN { ... }")
        XCTAssertEqual(DirectiveReference.syntax(of: DirectiveTable.spec(named: "allow_methods")!), "allow_methods METHOD ...;")
        for spec in DirectiveTable.all { XCTAssertTrue(DirectiveReference.markdown(for: spec).contains(spec.summary)) }
    }

    func testOutlineNamesServersAndLocations() {
        let text = """
        http {
            server {
                listen 8080 default_server;
                server_name example.com www.example.com;
                location = /50x.html { }
                location /img/ { root /srv; }
            }
            server {
                listen 8081;
            }
        }
        """
        let (file, _) = Parser.parse(SourceFile(path: "o.conf", text: text))
        let symbols = DocumentOutline.symbols(in: file)
        XCTAssertEqual(symbols.map(\.name), ["example.com www.example.com", "listen 8081"])
        XCTAssertEqual(symbols[0].detail, "listen 8080 default_server")
        XCTAssertEqual(symbols[0].children.map(\.name), ["= /50x.html", "/img/"])
        XCTAssertEqual(symbols[0].children.map(\.kind), [.location, .location])
        XCTAssertEqual(symbols[0].children[1].selectionRange.text, "/img/")
        XCTAssertEqual(symbols[0].children[0].selectionRange.text, "= /50x.html")
        XCTAssertTrue(symbols[0].range.text.hasPrefix("server {"))
        XCTAssertTrue(symbols[0].range.text.hasSuffix("}"))
        XCTAssertEqual(symbols[1].children.count, 0)
    }

    func testContextGuessForLoneFragments() {
        func guess(_ text: String) -> Context { ContextGuess.bestContext(for: Parser.parse(SourceFile(path: "g.conf", text: text)).0) }
        XCTAssertEqual(guess("events {}\nhttp {}\n"), .main)
        XCTAssertEqual(guess(""), .main)
        XCTAssertEqual(guess("server { listen 80; }\n"), .http)
        XCTAssertEqual(guess("listen 80;\nlocation / {}\n"), .server)
        XCTAssertEqual(guess("root /x;\nallow_methods GET;\n"), .location)
        XCTAssertEqual(guess("root /x;\n"), .http)
        XCTAssertEqual(guess("worker_connections 64;\n"), .events)
        XCTAssertEqual(guess("text/html html;\nimage/png png;\n"), .types)
        XCTAssertEqual(guess("bogus 1;\n"), .main)
    }
}
