import ConfLang

/// The pure parts of `error_page`: the internal request for the page, how
/// the page's answer becomes the error's answer, and nginx's built-in pages.
/// The event loop's one exit (`ConnectionDriver.deliver`) puts them together.
enum ErrorPages {
    /// An error being answered by its error_page: the original answer and how
    /// the page's own status maps onto it (`=CODE`, `=`, or the original).
    struct Redirect {
        let original: Response
        let mode: ErrorPage.Response
        /// The request the error answers may not be followed by another (its
        /// body was not read, say).
        let closeAfter: Bool

        /// The status a page answered with `pageStatus` goes out with.
        func status(forPage pageStatus: Int) -> Int {
            switch mode {
            case .original: return original.status
            case .code(let code): return code
            case .target: return pageStatus
            }
        }

        /// Whether the page's answer can stand for the error (else the
        /// built-in page of the original status does: no recursive error pages).
        func accepts(_ page: Response) -> Bool {
            mode == .target ? true : page.status < 300
        }
    }

    /// A GET of the page's path with the original's fields, without its body,
    /// conditionals or Range (`keepingFields`: with those fields too, for a
    /// script's local redirect).
    static func request(for target: String, replacing head: RequestHead, keepingFields: Bool = false,
                        wantsKeepAlive: Bool? = nil) -> RequestHead {
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        return head.redirected(path: PathNormalizer.normalize(parts.first ?? "/") ?? "/", query: parts.count > 1 ? parts[1] : nil,
                               keepingFields: keepingFields, wantsKeepAlive: wantsKeepAlive)
    }

    /// The page's answer as the error's: the error's status and fields, the
    /// page's body, type and ETag (and for a 200 its date and ranges, as nginx).
    static func answer(_ page: Response, for redirect: Redirect) -> Response {
        var result = page
        result.status = redirect.status(forPage: page.status)
        guard !page.streamed else { return result }
        let kept: Set<String> = result.status == 200 ? ["Content-Type", "ETag", "Last-Modified", "Accept-Ranges"] : ["Content-Type", "ETag"]
        result.headers = redirect.original.headers + page.fields.filter { kept.contains($0.name) }
        result.removeEncodedHeaders()
        result.addedHeadersIn = false   // the page's were left out: the error's own are added
        return result
    }

    /// `error_page CODE http://...`: a 302 to it.
    static func externalRedirect(to url: String) -> Response {
        Response(status: 302, headers: [("Location", url), ("Content-Type", "text/html")], body: .bytes(StatusCode.defaultPage(302)))
    }

    /// nginx's built-in page for an error without one. In place: this is on
    /// every answer's way out, and a response passed through was copied.
    static func addBuiltIn(to response: inout Response) {
        guard response.status >= 400, response.bodyLength == 0, !response.streamed else { return }
        response.headers.append(("Content-Type", "text/html"))
        response.body = .bytes(StatusCode.defaultPage(response.status))
    }
}
