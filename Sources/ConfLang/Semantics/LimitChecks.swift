import Glibc

extension CheckRun {
    /// nginx's warning "worker_connections exceed open file resource limit":
    /// a worker at `worker_connections` would run out of descriptors first.
    /// The limit is `worker_rlimit_nofile` when given, else the one this
    /// process has (webserv's workers inherit it from where they start).
    mutating func checkDescriptorLimit(_ valid: [(PlacedDirective, DirectiveSpec)]) {
        let limitDirective = valid.last { $0.0.name == "worker_rlimit_nofile" }?.0
        let limit: Int
        let source: String
        if let written = limitDirective.flatMap({ Values.wholeNumber(Substring($0.arguments[0].value)) }) {
            (limit, source) = (written, "worker_rlimit_nofile")
        } else {
            var current = rlimit()
            guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &current) == 0, current.rlim_cur != rlim_t.max else { return }
            (limit, source) = (Int(clamping: current.rlim_cur), "the open-file limit here (ulimit -n)")
        }
        for events in valid where events.0.name == "events" {
            for item in events.0.children() where item.name == "worker_connections" {
                guard let connections = Values.wholeNumber(Substring(item.arguments[0].value)), connections > limit else { continue }
                emit(.warning(.workerConnectionsOverLimit,
                              "worker_connections \(connections) exceeds the open-file limit of \(limit) (\(source)): a worker runs out of descriptors first; raise worker_rlimit_nofile or lower worker_connections",
                              at: item.arguments[0].range), for: item)
            }
        }
    }
}
