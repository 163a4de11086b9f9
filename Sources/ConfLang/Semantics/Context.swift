/// Where a directive stands. `types` is the key-values body of `types {}`,
/// `map` the `KEY VALUE;` body of `map SOURCE $name {}`,
/// `upstream` the entries of `upstream NAME {}` (UpstreamGroup.entry).
public enum Context: String, CaseIterable {
    case main, events, http, server, location, types, map, upstream
}
