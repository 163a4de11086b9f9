/// What a FastCGI location sends its application about the script: nginx's
/// `$fastcgi_script_name` and `$fastcgi_path_info`. Pure; webserv's adapter
/// and `confcheck --explain` use it.
extension Router.Route {
    /// `fastcgi_split_path_info`'s two captures when it is set and matches;
    /// else under a `$` location the path up to the suffix and the rest
    /// (as for CGI); else the whole path. A name ending with `/` gets `fastcgi_index`.
    public func fastcgiScript(for path: String) -> (scriptName: String, pathInfo: String) {
        let fastcgi = settings.fastcgi
        var script = path, info = ""
        if let splitter = fastcgi.splitPathInfo {
            if let split = splitter.split(path) { (script, info) = split }
        } else if let scriptPath {
            (script, info) = (scriptPath, pathInfo ?? "")
        }
        if script.hasSuffix("/"), let index = fastcgi.index { script += index }
        return (script, info)
    }

    /// nginx's `$document_root`: the location's root, or its alias.
    public var documentRoot: String { settings.alias ?? settings.root }
}
