/// Where a directive stands. `types` is the key-values body of `types {}`,
/// `upstream` the entries of `upstream NAME {}` (UpstreamGroup.entry).
public enum Context: String, CaseIterable {
    case main, events, http, server, location, types, upstream
}
