import ConfLang
import Glibc

/// Stores a request body under `upload_store`: PUT writes the named file,
/// POST writes a new uniquely named file, or each file part of a
/// multipart/form-data body. Nothing appears under its final name before
/// it is complete.
final class UploadConsumer: BodyConsumer {
    enum Mode {
        /// PUT: to this path; `url` is the request's (the 201's Location).
        case put(path: String, url: String)
        /// POST of a raw body: a new file in the store.
        case raw
        case multipart(MultipartParser)
    }

    private var mode: Mode
    private let store: String
    /// URL prefix under which stored files are served (for Location headers).
    private let urlPrefix: String
    private let prefersJSON: Bool
    /// Post/Redirect/Get for a browser's form: where its 303 sends it.
    private let seeOther: String?
    private var current: UploadFile?
    private var currentName: String?
    private var saved: [(name: String, size: Int)] = []

    init(mode: Mode, store: String, urlPrefix: String, prefersJSON: Bool, seeOther: String? = nil) throws {
        self.mode = mode
        self.store = store
        self.urlPrefix = urlPrefix.hasSuffix("/") ? urlPrefix : urlPrefix + "/"
        self.prefersJSON = prefersJSON
        self.seeOther = seeOther
        if case .put(let path, _) = mode, let slash = path.lastIndex(of: "/") {
            try UploadFile.checkNameLength(path[path.index(after: slash)...], in: UploadConsumer.directory(for: mode, store: store))
        }
        switch mode {
        case .put, .raw: current = try UploadFile(directory: UploadConsumer.directory(for: mode, store: store))
        case .multipart: break
        }
    }

    private static func directory(for mode: Mode, store: String) -> String {
        if case .put(let path, _) = mode, let slash = path.lastIndex(of: "/") { return String(path[..<slash]) }
        return store
    }

    func consume(_ bytes: ArraySlice<UInt8>) -> Response? {
        do {
            if case .multipart(var parser) = mode {
                let events = try parser.feed(bytes)
                mode = .multipart(parser)
                for event in events { try handle(event) }
            } else {
                try current?.write(bytes)
            }
            return nil
        } catch UploadFile.Failure.status(let status) {
            abort()
            return Response(status: status)
        } catch {
            abort()
            return Response(status: 400)
        }
    }

    private func handle(_ event: MultipartParser.Event) throws {
        switch event {
        case .partStart(_, let filename):
            // Only file parts are stored; plain form fields are skipped.
            guard let filename else { current = nil; currentName = nil; return }
            current = try UploadFile(directory: store)
            currentName = MultipartParser.safeFileName(filename)
        case .data(let bytes):
            try current?.write(bytes[...])
        case .partEnd:
            if let file = current, let name = currentName {
                let finalName = UploadConsumer.freeName(name, in: store)
                _ = try file.commit(to: store + "/" + finalName)
                saved.append((finalName, file.written))
            }
            current = nil
            currentName = nil
        case .end:
            break
        }
    }

    func finish() -> Response? {
        do {
            switch mode {
            case .put(let path, let url):
                guard let file = current else { return Response(status: 500) }
                let replaced = try file.commit(to: path)
                current = nil
                // As nginx's dav module: a created file's 201 names it.
                return replaced ? Response(status: 204) : Response(status: 201, headers: [("Location", url)])
            case .raw:
                guard let file = current else { return Response(status: 500) }
                let name = UploadConsumer.freeName("upload-\(time(nil))-\(UInt32.random(in: 0...UInt32.max))", in: store)
                _ = try file.commit(to: store + "/" + name)
                current = nil
                let location = urlPrefix + PercentEncoding.component(name)
                return Response(status: 201, headers: [("Location", location), ("Content-Type", "text/plain")],
                                body: .bytes(Array("\(location)\n".utf8)))
            case .multipart:
                guard current == nil else { abort(); return Response(status: 400) }   // body ended inside a part
                return summary()
            }
        } catch UploadFile.Failure.status(let status) {
            abort()
            return Response(status: status)
        } catch {
            abort()
            return Response(status: 500)
        }
    }

    func abort() {
        current?.abort()
        current = nil
    }

    private func summary() -> Response {
        if let seeOther {
            // A refresh of the page it lands on does not post the form again.
            return Response(status: 303, headers: [("Location", seeOther), ("Content-Type", "text/html")],
                            body: .bytes(StatusCode.defaultPage(303)))
        }
        let links = saved.map { (urlPrefix + PercentEncoding.component($0.name), $0.name, $0.size) }
        if prefersJSON {
            let items = links.map { "{\"name\": \"\(jsonEscape($0.1))\", \"url\": \"\(jsonEscape($0.0))\", \"size\": \($0.2)}" }
            return Response(status: 201, headers: [("Content-Type", "application/json")],
                            body: .bytes(Array("{\"saved\": [\(items.joined(separator: ", "))]}\n".utf8)))
        }
        var page = "<!DOCTYPE html>\n<html><head><title>Upload complete</title></head><body>\n<h1>Saved \(saved.count) file(s)</h1>\n<ul>\n"
        for link in links {
            page += "<li><a href=\"\(link.0)\">\(AutoindexPage.escapeHTML(link.1))</a> (\(link.2) bytes)</li>\n"
        }
        page += "</ul>\n<p><a href=\"\(urlPrefix)\">All uploads</a></p>\n</body></html>\n"
        var headers: [(name: String, value: String)] = [("Content-Type", "text/html; charset=utf-8")]
        if let first = links.first, links.count == 1 { headers.append(("Location", first.0)) }
        return Response(status: 201, headers: headers, body: .bytes(Array(page.utf8)))
    }

    private func jsonEscape(_ text: String) -> String {
        text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
    }

    /// `name`, or `name-1.ext`, `name-2.ext`... when taken.
    static func freeName(_ name: String, in directory: String) -> String {
        var info = stat()
        guard lstat(directory + "/" + name, &info) == 0 else { return name }
        let dot = name.lastIndex(of: ".").flatMap { $0 == name.startIndex ? nil : $0 }
        let stem = dot.map { String(name[..<$0]) } ?? name
        let suffix = dot.map { String(name[$0...]) } ?? ""
        for counter in 1... {
            let candidate = "\(stem)-\(counter)\(suffix)"
            if lstat(directory + "/" + candidate, &info) != 0 { return candidate }
        }
        return name
    }
}
