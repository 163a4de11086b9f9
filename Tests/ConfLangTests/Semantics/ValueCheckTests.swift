import XCTest
@testable import ConfLang

final class ValueCheckTests: XCTestCase {
    func testSizes() {
        XCTAssertEqual(findings(site("client_max_body_size 10m;")), [])
        XCTAssertEqual(findings(site("client_max_body_size 0;")), [])
        XCTAssertEqual(findings(site("client_max_body_size 10mb;")), ["4:22 error value.size"])
        XCTAssertEqual(findings(site("client_max_body_size -1;")), ["4:22 error value.size"])
        XCTAssertEqual(Values.size("8k"), 8192)
        XCTAssertEqual(Values.size("1M"), 1 << 20)
        XCTAssertNil(Values.size("99999999999999999999g"))
    }

    func testCharset() {
        XCTAssertEqual(findings(site("charset utf-8;")), [])
        XCTAssertEqual(findings(site("charset off;")), [])
        XCTAssertEqual(findings(site("charset \"utf 8\";")), ["4:9 error value.charset"])
        XCTAssertEqual(findings(site("charset a;b;")), ["4:11 error directive.unknown"])
    }

    func testTimes() {
        XCTAssertEqual(findings(site("keepalive_timeout 65;\nsend_timeout 1m;\nclient_body_timeout 500ms;")), [])
        XCTAssertEqual(findings(site("send_timeout 5 minutes;")), ["4:16 error directive.arguments"])
        XCTAssertEqual(findings(site("send_timeout 5x;")), ["4:14 error value.time"])
        XCTAssertEqual(Values.milliseconds("65"), 65_000)
        XCTAssertEqual(Values.milliseconds("1m30s"), 90_000)
        XCTAssertEqual(Values.milliseconds("250ms"), 250)
        XCTAssertNil(Values.milliseconds("s"))
    }

    func testListenValues() {
        XCTAssertEqual(findings(site("listen 8080;\nlisten 127.0.0.1:8081;\nlisten *:8082;\nlisten [::1]:8083;\nlisten localhost:8084;")), [])
        XCTAssertEqual(findings(site("listen 70000;")), ["4:8 error value.port"])
        XCTAssertEqual(findings(site("listen 127.0.0.1:0;")), ["4:8 error value.port"])
        XCTAssertEqual(findings(site("listen 80 ssl;")), ["4:11 error tls.no-certificate"])
        XCTAssertEqual(findings(site("listen 80 ssl ssl;\nssl_certificate c.pem;\nssl_certificate_key k.pem;")), ["4:15 error value.listen-parameter"])
        XCTAssertEqual(findings(site("listen web/1;")), ["4:8 error value.address"])
        XCTAssertEqual(Values.listenAddress("0.0.0.0:80"), .success(.init(host: "*", port: 80)))
        XCTAssertEqual(Values.listenAddress("80"), Values.listenAddress("*:80"))
    }

    func testOnOffAndMimeAndLogs() {
        XCTAssertEqual(findings(site("autoindex yes;")), ["4:11 error value.on-off"])
        XCTAssertEqual(findings(site("default_type text;")), ["4:14 error value.mime-type"])
        XCTAssertEqual(findings(site("default_type application/json;")), [])
        XCTAssertEqual(findings(site("error_log x.log loud;")), ["4:17 error value.log-level"])
        XCTAssertEqual(findings(site("access_log x.log main;")), ["4:18 error value.log-format"])
        XCTAssertEqual(findings(site("access_log off;")), [])
    }

    func testWorkerValues() {
        XCTAssertEqual(findings("worker_processes many;\nevents { worker_connections 0; }\n"),
                       ["1:18 error value.number", "2:29 error value.number"])
    }

    func testMethods() {
        let text = site("location / { allow_methods GET POST GET get FETCH; }")
        XCTAssertEqual(findings(text), ["4:37 warning value.method-repeated", "4:41 error value.method", "4:45 error value.method"])
        let found = diagnostics(text)
        XCTAssertTrue(found[1].message.contains("write 'GET'"), found[1].message)
    }

    func testProxyPass() {
        XCTAssertEqual(findings(site("location /a/ { proxy_pass http://127.0.0.1:8081/; }")), [])
        XCTAssertEqual(findings(site("location /a { proxy_pass https://127.0.0.1; }")), [], "https upstreams: ProxySSLDirectiveTests")
        XCTAssertEqual(findings(site("location /a { proxy_pass ftp://127.0.0.1; }")), ["4:26 error value.proxy-url"])
        XCTAssertEqual(findings(site("location /a { proxy_pass http://host:99999; }")), ["4:26 error value.port"])
        XCTAssertEqual(Values.proxyURL("http://h:81/x"), .success(.init(host: "h", port: 81, path: "/x")))
        XCTAssertEqual(Values.proxyURL("http://h"), .success(.init(host: "h", port: 80, path: nil)))
    }
}
