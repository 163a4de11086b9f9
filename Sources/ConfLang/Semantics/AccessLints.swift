import Glibc

/// Lints of `allow`/`deny` and `auth_basic`: what nginx accepts without a
/// word but does not do what it looks like it does.
extension CheckRun {
    /// One block's access directives; `userFileAbove` says whether an
    /// enclosing block names a user file, and is set for the blocks inside.
    mutating func checkAccess(_ valid: [(PlacedDirective, DirectiveSpec)]) {
        var deciding: PlacedDirective?
        for (item, spec) in valid where spec.name == "allow" || spec.name == "deny" {
            guard let argument = item.arguments.first else { continue }
            if let all = deciding {
                emit(.warning(.accessUnreachableRule,
                              "'\(spec.name) \(argument.value)' is never reached: '\(all.name) all' before it in this block decides for every client; move it above",
                              at: item.directive.name.range, notes: [.init("'\(all.name) all' is here", at: all.directive.name.range)]),
                     for: item)
                continue
            }
            if argument.value == "all" { deciding = item; continue }
            if let (network, lowBits) = IPNetwork.parse(argument.value), lowBits {
                let fixed = network.address.description + "/\(network.prefixLength)"
                emit(.warning(.accessLowAddressBits,
                              "low address bits of \(argument.value) are meaningless (nginx says so too): the rule holds \(fixed)",
                              at: argument.range, fixIt: .init(range: argument.range, replacement: fixed)), for: item)
            }
        }
        let ownFile = valid.first { $0.1.name == "auth_basic_user_file" }?.0
        if let file = ownFile, let argument = file.arguments.first { checkUserFile(file, path: resolve(argument.value), at: argument.range) }
        if let realm = valid.first(where: { $0.1.name == "auth_basic" })?.0, realm.arguments.first?.value != "off",
           ownFile == nil, !userFileAbove, !CheckRun.namesUserFile(valid.map(\.0).filter { $0.directive.block != nil }) {
            emit(.warning(.authNoUserFile,
                          "'auth_basic' asks for no password without 'auth_basic_user_file' (here, above or in a block inside): every client is let in, as nginx does",
                          at: realm.directive.name.range), for: realm)
        }
        userFileAbove = userFileAbove || ownFile != nil
    }

    /// Whether any of these blocks, at any depth, names a user file.
    private static func namesUserFile(_ placed: [PlacedDirective]) -> Bool {
        placed.contains { item in
            item.name == "auth_basic_user_file" || (item.directive.block != nil && namesUserFile(item.children()))
        }
    }

    private mutating func checkUserFile(_ item: PlacedDirective, path: String, at range: SourceRange) {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            emit(.warning(.authUserFile,
                          "auth_basic_user_file '\(path)' is not a readable file: every request here that brings a password would get 403 (no such file, as nginx) or 500",
                          at: range), for: item)
            return
        }
        if info.st_mode & S_IROTH != 0 {
            emit(.warning(.authUserFileWorldReadable,
                          "auth_basic_user_file '\(path)' is readable by every user of the machine, password hashes included; chmod o-r it (640, group of the server's user)",
                          at: range), for: item)
        }
    }
}

extension IPAddress: CustomStringConvertible {
    /// inet_ntop's form: dotted quad, or RFC 5952 (the longest run of two or more zero groups as `::`).
    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var best: Range<Int>?, start: Int?
        for index in 0...8 {
            if index < 8, groups[index] == 0 { if start == nil { start = index }; continue }
            if let begin = start, index - begin >= 2, index - begin > (best?.count ?? 0) { best = begin..<index }
            start = nil
        }
        let hex = groups.map { String($0, radix: 16) }
        guard let gap = best else { return hex.joined(separator: ":") }
        return hex[..<gap.lowerBound].joined(separator: ":") + "::" + hex[gap.upperBound...].joined(separator: ":")
    }
}
