import ConfLang
import Glibc

/// nginx-style directory listing: directories first, then files, each sorted;
/// names HTML-escaped in text and percent-encoded in links.
struct AutoindexPage {
    let directory: String
    let requestPath: String

    struct Entry {
        let name: String
        let isDirectory: Bool
        let size: Int
        let modified: Int
    }

    func entries() -> [Entry] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var result: [Entry] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(".") { continue }   // nginx hides dot files too
            var info = stat()
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard stat(path, &info) == 0 else { continue }
            result.append(Entry(name: name, isDirectory: (info.st_mode & S_IFMT) == S_IFDIR, size: Int(info.st_size),
                                modified: Int(info.st_mtim.tv_sec)))
        }
        return result.sorted { ($0.isDirectory ? 0 : 1, $0.name) < ($1.isDirectory ? 0 : 1, $1.name) }
    }

    func html() -> String {
        let title = "Index of " + Self.escapeHTML(requestPath)
        // nginx's page, in standards mode (the doctype) and readable on a phone:
        // names are UTF-8 on the wire (say so, or a browser guesses Latin-1),
        // and the listing's long lines scroll inside it instead of widening the page.
        var page = "<!DOCTYPE html>\r\n<html lang=\"en\">\r\n<head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>\(title)</title>"
            + "<style>:root{color-scheme:light dark}body{font-family:sans-serif;margin:1em}h1{font-size:1.4em;overflow-wrap:anywhere}"
            + "pre{overflow-x:auto}</style></head>\r\n<body>\r\n<h1>\(title)</h1><hr><pre><a href=\"../\">../</a>\r\n"
        for entry in entries() {
            let shown = entry.name + (entry.isDirectory ? "/" : "")
            let link = PercentEncoding.component(entry.name) + (entry.isDirectory ? "/" : "")
            let padding = String(repeating: " ", count: max(1, 51 - shown.count))
            let size = entry.isDirectory ? "-" : String(entry.size)
            page += "<a href=\"\(link)\">\(Self.escapeHTML(shown))</a>\(padding)\(Self.listingDate(entry.modified)) \(String(repeating: " ", count: max(0, 19 - size.count)))\(size)\r\n"
        }
        page += "</pre><hr></body>\r\n</html>\r\n"
        return page
    }

    func response() -> Response {
        Response(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: .bytes(Array(html().utf8)))
    }

    static func escapeHTML(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// `25-Nov-2026 04:43`, as nginx lists dates.
    static func listingDate(_ time: Int) -> String { HTTPDate.formatted(time, "%d-%b-%Y %H:%M") }
}
