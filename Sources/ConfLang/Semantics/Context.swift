/// Where a directive stands. `types` is the key-values body of `types {}`,
/// `map` the `KEY VALUE;` body of `map SOURCE $name {}`.
public enum Context: String, CaseIterable {
    case main, events, http, server, location, types, map
}
