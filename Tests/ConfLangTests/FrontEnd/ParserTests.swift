import XCTest
@testable import ConfLang

final class ParserTests: XCTestCase {
    func testDirectivesBlocksAndNesting() {
        let (parsed, diagnostics) = parse("events { worker_connections 10; }\nhttp { server { listen 80; location / { } } }\n")
        XCTAssertTrue(diagnostics.isEmpty)
        XCTAssertEqual(shape(parsed.nodes), "events(){worker_connections(10)} http(){server(){listen(80) location(/){}}}")
    }

    func testQuotedNamesAndArguments() {
        let (parsed, _) = parse("\"events\" { \"worker_connections\" '2048'; }")
        XCTAssertEqual(shape(parsed.nodes), "events(){worker_connections(2048)}")
    }

    func testTypesBodyIsEntries() {
        let (parsed, _) = parse("types { text/html html htm; image/png png; }")
        XCTAssertEqual(shape(parsed.nodes), "types(){text/html(html|htm) image/png(png)}")
    }

    func testCommentsAreKeptAsNodesAndBetweenArguments() {
        let (parsed, _) = parse("# top\nlog_format #c1\n  a #c2\n  b;\n")
        guard case .comment(let top) = parsed.nodes[0], case .directive(let directive) = parsed.nodes[1] else {
            return XCTFail("unexpected nodes")
        }
        XCTAssertEqual(top.text, " top")
        XCTAssertEqual(directive.innerComments.map(\.afterArgument), [0, 1])
        XCTAssertEqual(directive.innerComments.map(\.comment.text), ["c1", "c2"])
        XCTAssertEqual(directive.arguments.map(\.value), ["a", "b"])
    }

    func testRangesOfDirective() {
        let (parsed, _) = parse("a {\n  b 1;\n}\n")
        guard case .directive(let directive) = parsed.nodes[0] else { return XCTFail() }
        XCTAssertEqual(directive.range.startLocation, SourceLocation(line: 1, column: 1))
        XCTAssertEqual(directive.range.endLocation, SourceLocation(line: 3, column: 2))
        XCTAssertEqual(directive.block?.directives.first?.semicolon?.startLocation, SourceLocation(line: 2, column: 6))
    }

    func testRealFixturesParseWithoutErrors() throws {
        for name in ["014-crossplane-simple/nginx.conf", "016-crossplane-messy/nginx.conf",
                     "030-nginx-upstream-nginx-conf/mime.types", "031-h5bp-nginx-conf/nginx.conf"] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: fixturePath("nginx-real/" + name)))
            let (_, diagnostics) = Parser.parse(SourceFile(path: name, bytes: Array(bytes)))
            XCTAssertEqual(diagnostics.map(\.message), [], name)
        }
    }

    func testMessyFixtureShape() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixturePath("nginx-real/016-crossplane-messy/nginx.conf")))
        let (parsed, _) = Parser.parse(SourceFile(path: "m", bytes: Array(bytes)))
        let text = shape(parsed.nodes)
        XCTAssertTrue(text.hasPrefix("user(nobody) events(){worker_connections(2048)} http(){access_log(off) default_type(text/plain)"), text)
        XCTAssertTrue(text.contains("location(/\\{\\;\\}\\ #\\ ab){}"), text)
        XCTAssertTrue(text.contains("try_files(/abc/${uri}|/abc/${uri}.html|=404)"), text)
    }
}
