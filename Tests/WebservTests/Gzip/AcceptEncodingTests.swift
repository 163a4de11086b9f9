import XCTest
@testable import webserv

/// Accept-Encoding with q-values: whether a client takes gzip.
final class AcceptEncodingTests: XCTestCase {
    func testGzipListedWithAQualityAboveZero() {
        for value in ["gzip", "gzip, deflate, br", "deflate,gzip", "br;q=1.0, gzip;q=0.8, *;q=0.1", "GZIP", " gzip ; q=0.001",
                      "gzip;q=1", "gzip;q=1.000", "deflate, gzip;level=9", "gzip;q=0.5, *;q=0"] {
            XCTAssertTrue(AcceptEncoding.acceptsGzip(value), value)
        }
    }

    func testZeroOrAnUnreadableQualityOrAnotherCodingRefusesIt() {
        for value in ["", "identity", "deflate, br", "gzip;q=0", "gzip;q=0.000", "gzip; q=0.0", "x-gzip", "gzipx", "gzip;q=2",
                      "gzip;q=1.5", "gzip;q=0.0001", "gzip;q=abc", "*;q=0", "gzip;q=0, *", "br, *;q=0"] {
            XCTAssertFalse(AcceptEncoding.acceptsGzip(value), value)
        }
    }

    func testAStarCountsForGzipWhenGzipIsNotListed() {
        XCTAssertTrue(AcceptEncoding.acceptsGzip("*"))
        XCTAssertTrue(AcceptEncoding.acceptsGzip("br, *;q=0.5"))
        XCTAssertFalse(AcceptEncoding.acceptsGzip("*, gzip;q=0"), "gzip's own q-value wins over *")
    }

    func testQValues() {
        XCTAssertEqual(AcceptEncoding.qvalue("0"[...].utf8), 0)
        XCTAssertEqual(AcceptEncoding.qvalue("1"[...].utf8), 1000)
        XCTAssertEqual(AcceptEncoding.qvalue("0.5"[...].utf8), 500)
        XCTAssertEqual(AcceptEncoding.qvalue("0.125"[...].utf8), 125)
        XCTAssertEqual(AcceptEncoding.qvalue("1."[...].utf8), 1000)
        XCTAssertNil(AcceptEncoding.qvalue("1.001"[...].utf8))
        XCTAssertNil(AcceptEncoding.qvalue(".5"[...].utf8))
        XCTAssertNil(AcceptEncoding.qvalue(""[...].utf8))
    }

    /// The bytes' way (the field's value as received, no String) decides as the String's.
    func testTheBytesVariantAgreesWithTheTextOne() {
        for value in ["gzip", "gzip, deflate, br", "gzip,deflate", "gzipx", "gzip;q=0", "gzip ;q=0", "deflate, gzip;q=0.5",
                      "GZIP", "x-gzip", "*", "*;q=0", "br", "", "gzi", "gzip;q=0, *"] {
            let bytes = Array(value.utf8)
            XCTAssertEqual(bytes.withUnsafeBufferPointer { AcceptEncoding.acceptsGzip($0) }, AcceptEncoding.acceptsGzip(value), value)
        }
    }
}
