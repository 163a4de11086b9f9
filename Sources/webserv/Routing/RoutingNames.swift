import ConfLang

// Routing is ConfLang's (Sources/ConfLang/Routing), shared with
// `confcheck --explain`. These names keep it in webserv's own namespace, so
// files that do not import ConfLang (EventLoop/RequestContext.swift, and
// HTTP/RequestParser.swift, which the fuzz targets build without ConfLang:
// fuzz/common.sh compiles ConfLang's PathNormalizer.swift beside it) compile
// unchanged.
typealias Router = ConfLang.Router
typealias VirtualServer = ConfLang.VirtualServer
typealias ResolvedLocation = ConfLang.ResolvedLocation
typealias PathNormalizer = ConfLang.PathNormalizer
