/// How a directive's value reaches the typed model, carried by its table
/// entry: what nginx's `ngx_command_t.set` and a module's `merge_loc_conf`
/// do. `ModelBuilder` walks the table with these; it names no directive
/// whose value reaches the model this way.
public struct DirectiveSetting {
    /// The change a block's occurrences of a directive make to the settings.
    public typealias Parse<Root> = (SettingInput) -> ((inout Root) -> Void)?

    /// How a block's value relates to the one it inherits.
    public enum Merge: Equatable {
        /// The block's last occurrence is its value; inner blocks take it unless they set their own.
        case replaces
        /// Every occurrence of a block adds to its value (`error_page`, `types`);
        /// a block that has any replaces what it inherits as a whole, as in nginx.
        case accumulates
    }

    public let merge: Merge
    /// Other directives' settings this one makes when its block does not write
    /// them (`proxy_pass` allows every method): it is their origin then, for `--explain`.
    public var alsoSets: [String] = []
    /// Settings of a location (http → server → location, and `$` overlays).
    let location: Parse<LocationConfig>?
    /// Settings of the server's head, read before a location is chosen (http → server).
    let server: Parse<ServerConfig>?
    /// Settings of the whole server (main and events), which merge nowhere.
    var main: Parse<WebservConfig>? = nil

    /// A location setting stored in one field.
    static func location<Value>(_ field: WritableKeyPath<LocationConfig, Value>, merge: Merge = .replaces,
                                _ parse: @escaping (SettingInput) -> Value?) -> DirectiveSetting {
        DirectiveSetting(merge: merge, location: { input in parse(input).map { value in { $0[keyPath: field] = value } } },
                         server: nil)
    }

    /// A location setting that changes more than its field (`root` drops an inherited `alias`).
    static func location(merge: Merge = .replaces, alsoSets: [String] = [],
                         _ parse: @escaping Parse<LocationConfig>) -> DirectiveSetting {
        DirectiveSetting(merge: merge, alsoSets: alsoSets, location: parse, server: nil)
    }

    /// A setting of the server's head.
    static func server(_ parse: @escaping Parse<ServerConfig>) -> DirectiveSetting {
        DirectiveSetting(merge: .replaces, location: nil, server: parse)
    }

    /// A main (or events) setting stored in one field.
    static func main<Value>(_ field: WritableKeyPath<WebservConfig, Value>, merge: Merge = .replaces,
                            _ parse: @escaping (SettingInput) -> Value?) -> DirectiveSetting {
        DirectiveSetting(merge: merge, location: nil, server: nil).andMain(field, parse)
    }

    /// The same directive written in main sets this field too (`error_log`).
    func andMain<Value>(_ field: WritableKeyPath<WebservConfig, Value>,
                        _ parse: @escaping (SettingInput) -> Value?) -> DirectiveSetting {
        var setting = self
        setting.main = { input in parse(input).map { value in { $0[keyPath: field] = value } } }
        return setting
    }
}

/// What a setting's parse reads: one block's occurrences of its directive.
public struct SettingInput {
    /// In order; only the last counts unless the setting accumulates.
    public let occurrences: [PlacedDirective]
    /// Every directive of the block (a setting may depend on a sibling).
    public let block: [PlacedDirective]
    /// Makes a relative path absolute (from the main file's directory).
    public let path: (String) -> String

    /// The last occurrence's argument values.
    public var values: [String] { occurrences.last?.arguments.map(\.value) ?? [] }

    /// `values[index]`, or "" when the checks let an argument be missing.
    public func value(_ index: Int) -> String {
        let values = self.values
        return index < values.count ? values[index] : ""
    }

    /// Whether the block also writes `name`.
    public func blockHas(_ name: String) -> Bool { block.contains { $0.name == name } }

    /// `error_log PATH [LEVEL]` (main and every block).
    static func logTarget(_ values: [String], path: (String) -> String) -> LogTarget {
        let file = values.first ?? ""
        return LogTarget(path: file == "stderr" ? "stderr" : path(file), level: values.count > 1 ? values[1] : "error")
    }
}
