import Foundation
import XCTest

/// Files over TLS, byte for byte. With kernel TLS sending (the `tls` ULP)
/// they would go by `SSL_sendfile`; where the kernel has none, as on the
/// machine these tests were written on (/proc/sys/net/ipv4/tcp_available_ulp
/// lists only mptcp), this runs the fallback: read, then `SSL_write`.
final class TLSFileBodyTests: XCTestCase {
    func testAMebibyteAndARangeOfItArriveExactOnOneKeepAliveConnection() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.leaf("site", names: ["site.test"])
        // 1 MiB that differs from one 64 KiB piece to the next (a piece sent twice or skipped would show).
        var generator: UInt64 = 0x9e37_79b9_7f4a_7c15
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let bytes = (0..<(1 << 20)).map { _ -> UInt8 in
            generator = generator &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return alphabet[Int(generator >> 58)]
        }
        let config = """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0 ssl;
                server_name site.test;
                ssl_certificate \(certificates.path("site.pem"));
                ssl_certificate_key \(certificates.path("site.key"));
                root DIR/www;
            }
        }
        """
        let server = try ServerProcess(config: config, files: ["www/big.bin": String(decoding: bytes, as: UTF8.self),
                                                               "www/small.txt": "small\n"])
        defer { server.stop() }
        let result = try runCommand("/usr/bin/python3", ["-c", TLSFileBodyTests.client, String(server.ports[0]), "site.test",
                                                         certificates.path("ca.pem"), server.directory + "/www/big.bin"])
        XCTAssertEqual(result.status, 0, result.output)
        let lines = result.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, ["200 1048576 exact", "206 599001 exact bytes 1000-600000/1048576", "200 6 exact"])
    }

    /// Three requests on one connection (the file, a range of it, a small
    /// file), each answer read by its Content-Length and compared with the
    /// file on disk: "STATUS LENGTH exact|differs [CONTENT-RANGE]" per answer.
    private static let client = #"""
import socket, ssl, sys
port, name, ca, path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
data = open(path, "rb").read()
s = ssl.create_default_context(cafile=ca).wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30), server_hostname=name)
buffered = b""
def more():
    global buffered
    piece = s.recv(1 << 16)
    if not piece: raise SystemExit("closed early")
    buffered += piece
for target, extra, expected in [("/big.bin", "", data), ("/big.bin", "Range: bytes=1000-600000\r\n", data[1000:600001]),
                                ("/small.txt", "", b"small\n")]:
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (target, name, extra)).encode())
    while b"\r\n\r\n" not in buffered: more()
    head, buffered = buffered.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    fields = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
    length = int(fields["content-length"])
    while len(buffered) < length: more()
    body, buffered = buffered[:length], buffered[length:]
    words = [lines[0].split()[1], str(length), "exact" if body == expected else "differs"]
    if "content-range" in fields: words.append(fields["content-range"])
    print(" ".join(words))
"""#
}
