import XCTest
@testable import ConfLang

/// The semantic passes stay linear: twice the servers cost about twice the
/// work, counted as reads of names and values (WorkCounter), not timed.
final class LintScalingTests: XCTestCase {
    private func servers(_ count: Int) -> String {
        var text = "events { }\nhttp {\n    root /srv/www;\n    types { text/html html; }\n"
        for index in 0..<count {
            text += "    server {\n        listen \(10000 + index % 10);\n        server_name s\(index).example.com;\n"
                + "        root /srv/s\(index);\n        error_page 404 /404.html;\n"
                + "        location /p/ { autoindex on; keepalive_timeout 30s; }\n"
                + "        location = /exact { return 301 /p/; }\n    }\n"
        }
        return text + "}\n"
    }

    private func reads(linting text: String) -> Int {
        let before = WorkCounter.reads.load(ordering: .relaxed)
        _ = lint(text, hostResolver: HostResolver { _ in true })
        return WorkCounter.reads.load(ordering: .relaxed) - before
    }

    func testTwiceTheServersIsAboutTwiceTheWork() {
        let small = reads(linting: servers(200)), large = reads(linting: servers(400))
        XCTAssertGreaterThan(small, 0)
        let ratio = Double(large) / Double(small)
        XCTAssertTrue(ratio > 1.8 && ratio < 2.2, "200 servers: \(small) reads, 400: \(large) (ratio \(ratio))")
    }
}
