import Foundation
import XCTest

/// How an answer's body is framed over HTTP/2: a body whose length is known
/// ends with END_STREAM on its last DATA frame, as nginx's does, not with an
/// empty DATA frame after it (one more frame for every answer).
final class HTTP2DataFramingTests: XCTestCase {
    private let config = """
    error_log DIR/logs/error.log;
    events { }
    http {
        access_log off;
        server { listen 127.0.0.1:PORT0 http2; root DIR/www; }
    }
    """

    /// The frames of each stream's answer, as "HEADERS", "DATA LENGTH" and "END" after the frame that ended it.
    private static let client = #"""
import json, socket, sys
import h2.config, h2.connection, h2.events
port, paths = int(sys.argv[1]), sys.argv[2:]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
c.initiate_connection()
frames = {}
for i, path in enumerate(paths):
    c.send_headers(1 + 2 * i, [(":method", "GET"), (":path", path), (":scheme", "http"), (":authority", "x")], end_stream=True)
    frames[1 + 2 * i] = []
s.sendall(c.data_to_send())
ended = 0
while ended < len(paths):
    data = s.recv(65536)
    if not data: break
    for e in c.receive_data(data):
        if isinstance(e, h2.events.ResponseReceived): frames[e.stream_id].append("HEADERS")
        if isinstance(e, h2.events.DataReceived):
            frames[e.stream_id].append("DATA %d" % len(e.data))
            c.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
        if isinstance(e, h2.events.StreamEnded):
            frames[e.stream_id].append("END")
            ended += 1
    s.sendall(c.data_to_send())
print(json.dumps([frames[1 + 2 * i] for i in range(len(paths))]))
"""#

    func testAKnownLengthEndsOnItsLastDataFrame() throws {
        guard (try? runCommand("/usr/bin/python3", ["-c", "import h2"]))?.status == 0 else { throw XCTSkip("python3-h2 is not installed") }
        let server = try ServerProcess(config: config, files: ["www/small.html": String(repeating: "x", count: 612),
                                                               "www/large.txt": String(repeating: "y", count: 40_000)])
        defer { server.stop() }
        let result = try runCommand("/usr/bin/python3", ["-c", Self.client, String(server.ports[0]), "/small.html", "/large.txt", "/missing"])
        XCTAssertEqual(result.status, 0, result.output)
        let frames = try JSONDecoder().decode([[String]].self, from: Data(result.output.utf8))
        XCTAssertEqual(frames.first, ["HEADERS", "DATA 612", "END"])
        XCTAssertEqual(frames.count, 3)
        for (path, list) in zip(["/small.html", "/large.txt", "/missing"], frames) {
            XCTAssertEqual(list.last, "END", path)
            XCTAssertFalse(list.contains("DATA 0"), "\(path): no empty DATA frame to end it: \(list)")
        }
        let large = frames.count > 1 ? frames[1] : []
        XCTAssertEqual(large.compactMap { $0.hasPrefix("DATA ") ? Int($0.dropFirst(5)) : nil }.reduce(0, +), 40_000)
    }
}
