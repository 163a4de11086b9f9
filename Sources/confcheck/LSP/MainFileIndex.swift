import ConfLang
import Foundation

/// Finds the main file a fragment is checked in: among the `*.conf` files of
/// its workspace folder, of its directory and of the one above (so
/// `/etc/nginx/sites-enabled/x` finds `/etc/nginx/nginx.conf` without a
/// workspace), the ones whose includes reach it (as the loader resolves
/// them). A main file is a candidate no other candidate includes; with
/// several, the first by path wins.
final class MainFileIndex {
    /// A large tree (a home directory opened as workspace) is scanned this far, no further.
    static let maxCandidates = 500
    static let maxEntriesScanned = 20_000

    var workspaceFolders: [String] = []
    /// Per scanned directory (`**` marks a recursive scan): the candidates found.
    private var scans: [String: [String]] = [:]
    /// Per candidate: the (normalized) paths its includes reach, itself excluded.
    private var reached: [String: Set<String>] = [:]
    private let log: (String) -> Void

    init(log: @escaping (String) -> Void) {
        self.log = log
    }

    /// Forget everything read from disk (a file was saved, created or deleted).
    func invalidate() {
        scans = [:]
        reached = [:]
    }

    /// A file opened for the first time may be new on disk: a glob that did
    /// not match it when the index was built may match it now.
    func noteOpened(_ path: String) {
        let known = scans.values.contains { $0.contains(path) } || reached.values.contains { $0.contains(path) }
        if !known { invalidate() }
    }

    /// A fresh lint of `main` says exactly what it reaches now.
    func record(main: String, reaches paths: Set<String>) {
        reached[main] = paths.subtracting([main])
    }

    /// The main file to check `path` in, or nil when it is a main file itself
    /// or nothing known includes it. `loader` reads unsaved editor text.
    func mainFile(for path: String, loader: ConfigLoader) -> String? {
        // An `untitled:` buffer has no directory to look in.
        guard path.hasPrefix("/") else { return nil }
        let candidates = candidateFiles(for: path)
        for candidate in candidates where reached[candidate] == nil {
            switch loader.load(path: candidate) {
            case .success(let config): reached[candidate] = Set(config.files.map { LexicalPath.normalized($0.path) }).subtracting([candidate])
            case .failure: reached[candidate] = []
            }
        }
        let includers = candidates.filter { $0 != path && reached[$0]?.contains(path) == true }
        guard !includers.isEmpty else { return nil }
        let mains = includers.filter { candidate in
            !candidates.contains { $0 != candidate && reached[$0]?.contains(candidate) == true }
        }
        // Without a file no one includes (a cycle), any includer will do.
        return (mains.isEmpty ? includers : mains).sorted().first
    }

    /// The workspace folder holding the file (scanned recursively), then the
    /// file's own directory and its parent (their files only).
    private func candidateFiles(for path: String) -> [String] {
        let own = MainFileIndex.parent(of: path)
        let above = MainFileIndex.parent(of: own)
        var found: [String] = []
        if let folder = workspaceFolders.first(where: { LexicalPath.isInside(path, directory: $0) }) {
            found += cached("**" + folder) { scan(folder) }
        }
        found += cached(own) { MainFileIndex.confFiles(in: own) }
        if above != own { found += cached(above) { MainFileIndex.confFiles(in: above) } }
        var seen = Set<String>()
        return found.filter { seen.insert($0).inserted }.sorted()
    }

    private func cached(_ key: String, _ list: () -> [String]) -> [String] {
        if let known = scans[key] { return known }
        let found = list().map(LexicalPath.normalized)
        scans[key] = found
        return found
    }

    private func scan(_ directory: String) -> [String] {
        var found: [String] = []
        var examined = 0
        let url = URL(fileURLWithPath: directory, isDirectory: true)
        guard let entries = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil,
                                                            options: [.skipsHiddenFiles]) else { return [] }
        for case let entry as URL in entries {
            examined += 1
            if examined > MainFileIndex.maxEntriesScanned || found.count >= MainFileIndex.maxCandidates {
                log("workspace scan of \(directory) stopped after \(found.count) configuration files")
                break
            }
            if entry.pathExtension == "conf" { found.append(entry.path) }
        }
        return found
    }

    private static func confFiles(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".conf") && !$0.hasPrefix(".") }.map { join(directory, $0) }
    }

    static func parent(of path: String) -> String {
        Linter.directory(of: path).isEmpty ? "." : Linter.directory(of: path)
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
