import XCTest
@testable import ConfLang

/// nginx's http2 module's directives (`http2_max_concurrent_streams`,
/// `http2_body_preread_size`, `http2_recv_buffer_size`, `http2_chunk_size`),
/// `keepalive_requests`, `add_trailer`, and the `http2_*` directives nginx made
/// obsolete, warned about as nginx does and ignored.
final class HTTP2DirectiveTests: XCTestCase {
    private func model(_ text: String) throws -> WebservConfig {
        let result = Linter.lint(path: "/srv/conf/test.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        return ModelBuilder.build(result.config, baseDirectory: "/srv/conf")
    }

    func testTheLimitsReachTheModelWithNginxsDefaultsAndInheritance() throws {
        let config = try model("""
        http {
            http2_recv_buffer_size 64k;
            http2_max_concurrent_streams 32;
            http2_chunk_size 4k;
            keepalive_requests 50;
            server { listen 8081; }
            server {
                listen 8082;
                http2_max_concurrent_streams 8;
                http2_body_preread_size 16k;
                location /small/ { http2_chunk_size 1k; keepalive_requests 5; }
            }
        }
        """)
        let first = config.servers[0], second = config.servers[1]
        XCTAssertEqual(first.http2MaxConcurrentStreams, 32, "from http")
        XCTAssertEqual(first.http2BodyPrereadSize, 65_536, "nginx's 64k")
        XCTAssertEqual(first.http2RecvBufferSize, 65_536)
        XCTAssertEqual(first.base.http2ChunkSize, 4096)
        XCTAssertEqual(first.base.keepaliveRequests, 50)
        XCTAssertEqual(second.http2MaxConcurrentStreams, 8, "the server's own")
        XCTAssertEqual(second.http2BodyPrereadSize, 16_384)
        XCTAssertEqual(second.http2RecvBufferSize, 65_536, "http's, for every server")
        XCTAssertEqual(second.locations.map(\.http2ChunkSize), [1024])
        XCTAssertEqual(second.locations.map(\.keepaliveRequests), [5])
        let defaults = try model("http { server { listen 8081; } }")
        XCTAssertEqual(defaults.servers[0].http2MaxConcurrentStreams, 128)
        XCTAssertEqual(defaults.servers[0].http2RecvBufferSize, 262_144)
        XCTAssertEqual(defaults.servers[0].base.http2ChunkSize, 8192)
        XCTAssertEqual(defaults.servers[0].base.keepaliveRequests, 1000)
    }

    func testContextsAndValuesAreNginxs() {
        XCTAssertEqual(findings(site("http2_max_concurrent_streams many;")), ["4:30 error value.number"])
        XCTAssertEqual(findings(site("http2_chunk_size 8x;")), ["4:18 error value.size"])
        XCTAssertEqual(findings(site("location / { http2_max_concurrent_streams 4; }")), ["4:14 error directive.context"])
        XCTAssertEqual(findings(site("http2_recv_buffer_size 128k;")), ["4:1 error directive.context"], "http only, as nginx's")
        XCTAssertEqual(findings(site("location / { http2_chunk_size 16k; keepalive_requests 10; }", http: "http2_recv_buffer_size 1m;\n")), [])
    }

    func testObsoleteDirectivesWarnAsNginxDoesAndChangeNothing() throws {
        let found = diagnostics(site("""
            http2_idle_timeout 3m;
            http2_max_field_size 4k;
            location / { http2_push /style.css; http2_push_preload on; }
            """, http: "http2_max_requests 500;\nhttp2_recv_timeout 10s;\n"))
        XCTAssertEqual(found.map(\.summary), ["3:1 warning directive.obsolete", "4:1 warning directive.obsolete", "6:1 warning directive.obsolete",
                                              "7:1 warning directive.obsolete", "8:14 warning directive.obsolete", "8:37 warning directive.obsolete"])
        XCTAssertEqual(found[0].message, "the 'http2_max_requests' directive is obsolete, use the 'keepalive_requests' directive instead")
        XCTAssertEqual(found[2].message, "the 'http2_idle_timeout' directive is obsolete, use the 'keepalive_timeout' directive instead")
        XCTAssertEqual(found[4].message, "the 'http2_push' directive is obsolete, ignored")
        // The fix renames where the replacement takes the same value; a buffer size is not a buffer count and size.
        XCTAssertEqual(found.map { $0.fixIt?.replacement }, ["keepalive_requests", "client_header_timeout", "keepalive_timeout", nil, nil, nil])
        // Their arguments are still checked.
        XCTAssertEqual(findings(site("http2_idle_timeout soon;")), ["4:20 error value.time"])
        // Ignored: the model has what it would have without them.
        let config = try model("http { http2_max_requests 5; server { listen 8081; http2_idle_timeout 1s; } }")
        XCTAssertEqual(config.servers[0].base.keepaliveRequests, 1000)
        XCTAssertEqual(config.servers[0].base.keepaliveTimeoutMilliseconds, 75_000)
    }

    func testAddTrailerIsInheritedAsAddHeaderAndCheckedTheSameWay() throws {
        let config = try model("""
        http {
            add_trailer X-Http yes;
            server {
                listen 8081;
                location /inherits/ { }
                location /own/ { add_trailer X-Time $request_time always; }
            }
        }
        """)
        let server = config.servers[0]
        XCTAssertEqual(server.base.addedTrailers.map(\.name), ["X-Http"])
        XCTAssertEqual(server.locations.map { $0.addedTrailers.map(\.name) }, [["X-Http"], ["X-Time"]])
        XCTAssertEqual(server.locations[1].addedTrailers.first?.always, true)
        XCTAssertFalse(server.locations[1].addedTrailers.first?.value.isLiteral ?? true)
        XCTAssertEqual(findings(site("add_trailer X-Bad:name v;")), ["4:13 error directive.arguments"])
        XCTAssertEqual(findings(site("add_trailer X-Time $no_such_variable;")).map { $0.hasSuffix("variable.unknown") }, [true])
        XCTAssertEqual(findings(site("add_trailer X-A b sometimes;")).count, 1)
    }
}
