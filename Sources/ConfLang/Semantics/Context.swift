/// Where a directive stands. `types` is the key-values body of `types {}`.
public enum Context: String, CaseIterable {
    case main, events, http, server, location, types
}
