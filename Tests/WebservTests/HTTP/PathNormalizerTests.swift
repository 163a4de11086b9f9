import XCTest
@testable import webserv

final class PathNormalizerTests: XCTestCase {
    func testDotSegments() {
        XCTAssertEqual(PathNormalizer.normalize("/a/./b/../c"), "/a/c")
        XCTAssertEqual(PathNormalizer.normalize("/a//b///c"), "/a/b/c")
        XCTAssertEqual(PathNormalizer.normalize("/a/b/"), "/a/b/")
        XCTAssertEqual(PathNormalizer.normalize("/a/."), "/a/")
        XCTAssertEqual(PathNormalizer.normalize("/a/.."), "/")
        XCTAssertEqual(PathNormalizer.normalize("/"), "/")
    }

    func testClimbingAboveRootIsRefused() {
        XCTAssertNil(PathNormalizer.normalize("/.."))
        XCTAssertNil(PathNormalizer.normalize("/a/../../b"))
        XCTAssertNil(PathNormalizer.normalize("/%2e%2e/b"))
        XCTAssertNil(PathNormalizer.normalize("/..%2fb"))
        XCTAssertNil(PathNormalizer.normalize("/a/%2E%2E/%2e%2E/b"))
    }

    func testDecodedOnce() {
        XCTAssertEqual(PathNormalizer.normalize("/%252e%252e/x"), "/%2e%2e/x")
        XCTAssertEqual(PathNormalizer.normalize("/caf%C3%A9"), "/café")
        XCTAssertEqual(PathNormalizer.normalize("/a%2Fb"), "/a/b")
    }

    func testBadEscapesAndNUL() {
        XCTAssertNil(PathNormalizer.normalize("/a%"))
        XCTAssertNil(PathNormalizer.normalize("/a%4"))
        XCTAssertNil(PathNormalizer.normalize("/a%g0"))
        XCTAssertNil(PathNormalizer.normalize("/a%00"))
        XCTAssertNil(PathNormalizer.normalize("a"))
    }
}
