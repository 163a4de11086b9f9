import XCTest
@testable import ConfLang

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

    /// The shortcut for paths that need no work must agree with the full work.
    func testShortcutAgreesWithTheFullWork() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["/", "a", "b", ".", "..", "%2e", "%2F", "%", "%zz", "//", "x.y", ".h", "%00", "é"]
        var shortcuts = 0
        for _ in 0..<5000 {
            let count = Int.random(in: 1...8, using: &generator)
            let path = "/" + (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            if PathNormalizer.isAlreadyNormal(path) {
                shortcuts += 1
                XCTAssertEqual(PathNormalizer.resolve(path), path, path)
            }
            XCTAssertEqual(PathNormalizer.normalize(path), PathNormalizer.resolve(path), path)
        }
        XCTAssertGreaterThan(shortcuts, 100, "the shortcut was exercised")
        XCTAssertFalse(PathNormalizer.isAlreadyNormal(""))
        XCTAssertFalse(PathNormalizer.isAlreadyNormal("a/b"))
        XCTAssertTrue(PathNormalizer.isAlreadyNormal("/a/b.html"))
    }
}
