import Glibc

/// What GET or HEAD of a path finds under a route: the file, a directory's
/// index file, the slash redirect, a listing, or the failure and its status.
/// The one lookup behind webserv's StaticFileHandler and `confcheck --explain`;
/// the file system is passed in (webserv's, --explain's, a test's fake).
/// Candidates are tried in order (the path, then each index name); try_files'
/// are one more list of them (`lookUpTryFiles`).
public enum FileLookup<FileInfo> {
    /// `index`: the index name when the file answers for its directory.
    case file(path: String, info: FileInfo, index: String?)
    /// A directory named without its final `/`: 301 to the slash form. With
    /// `index`, that index name is the directory: 301 to the request path, the
    /// name and a `/` (nginx's index module takes it, then redirects).
    case redirectToSlash(directory: String, index: String?)
    case autoindex(directory: String)
    /// `path` and `candidate`: where the lookup stopped (the directory for `noIndex`).
    case failed(status: Int, path: String, candidate: FileCandidate, failure: FileLookupFailure)
}

public enum FileLookupFailure: Equatable {
    /// stat(2) failed with this errno (missing is 404, not allowed 403).
    case status(errno: Int32)
    /// Neither a regular file nor a directory (a device, a FIFO, a socket):
    /// 404, as nginx's static module ("is not a regular file").
    case notRegular
    /// A regular file that cannot be opened for reading.
    case unreadable(errno: Int32)
    /// A directory without any of its index files, and autoindex off: 403.
    case noIndex
}

/// One thing the lookup tries, in order.
public enum FileCandidate: Equatable {
    /// The file the request path maps to.
    case requestPath
    /// This index name in the directory the request path maps to.
    case index(String)
    /// A `try_files` file, as evaluated (a final `/`: a directory is wanted).
    case tryFile(String)
}

/// What one candidate turned out to be.
public enum CandidateOutcome: Equatable {
    case found
    case directory
    case notRegular
    case failed(errno: Int32)
    case unreadable(errno: Int32)
    /// A `try_files` name with a final `/` that is not a directory.
    case notDirectory
}

/// What a file system is to the lookup: stat(2), and whether a regular file opens.
public protocol LookupFileSystem {
    /// What a regular file found is to its caller (webserv: its stat or its
    /// cached entry), handed back in `FileLookup.file`.
    associatedtype FileInfo
    func status(of path: String) -> FileStatus<FileInfo>
    /// The errno when the regular file at `path` cannot be opened for reading,
    /// nil when it can, or when the caller opens it next and maps a failure
    /// through `Router.Route.status(forFileError:)` itself (webserv).
    func openFailure(of path: String, info: FileInfo) -> Int32?
}

/// stat(2) of a path, as the lookup needs it.
public enum FileStatus<FileInfo> {
    case regular(FileInfo)
    case directory
    /// Neither a regular file nor a directory.
    case other
    case failed(errno: Int32)
}

/// Watches the lookup's candidates (--explain's `FileLookupTrace`); webserv's
/// observer does nothing, and being generic it costs nothing there.
public protocol FileLookupObserver {
    mutating func tried(_ candidate: FileCandidate, path: String, outcome: CandidateOutcome)
}

public struct IgnoringFileLookupObserver: FileLookupObserver {
    @inlinable public init() {}
    @inlinable public mutating func tried(_ candidate: FileCandidate, path: String, outcome: CandidateOutcome) {}
}

/// Every candidate tried, in order, and what it was: why the ones before the answer did not answer.
public struct FileLookupTrace: FileLookupObserver {
    public struct Entry: Equatable {
        public var candidate: FileCandidate
        public var path: String
        public var outcome: CandidateOutcome
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public mutating func tried(_ candidate: FileCandidate, path: String, outcome: CandidateOutcome) {
        entries.append(Entry(candidate: candidate, path: path, outcome: outcome))
    }
}

extension Router.Route {
    /// The lookup with nobody watching (webserv).
    @inlinable
    public func lookUpFile<FileSystem: LookupFileSystem>(_ path: String, in fileSystem: FileSystem) -> FileLookup<FileSystem.FileInfo> {
        var observer = IgnoringFileLookupObserver()
        return lookUpFile(path, in: fileSystem, observer: &observer)
    }

    /// What GET or HEAD of the request path `path` (normalised) finds. As
    /// nginx: a directory needs the final `/`; then its first index name that
    /// exists answers (a directory: the slash redirect; neither file nor
    /// directory: 404), one that is missing is passed over, one that is not
    /// allowed (403) or names no file (404) stops the search (nginx's index
    /// module); none: a listing with autoindex, else 403. Symlinks are followed
    /// (stat). Inlinable so that webserv's file system specialises it.
    @inlinable
    public func lookUpFile<FileSystem: LookupFileSystem, Observer: FileLookupObserver>(
        _ path: String, in fileSystem: FileSystem, observer: inout Observer
    ) -> FileLookup<FileSystem.FileInfo> {
        let file = filesystemPath(for: path)
        switch fileSystem.status(of: file) {
        case .failed(let error):
            observer.tried(.requestPath, path: file, outcome: .failed(errno: error))
            return .failed(status: Self.status(forFileError: error), path: file, candidate: .requestPath, failure: .status(errno: error))
        case .other:
            observer.tried(.requestPath, path: file, outcome: .notRegular)
            return .failed(status: 404, path: file, candidate: .requestPath, failure: .notRegular)
        case .regular(let info):
            if let error = fileSystem.openFailure(of: file, info: info) {
                observer.tried(.requestPath, path: file, outcome: .unreadable(errno: error))
                return .failed(status: Self.status(forFileError: error), path: file, candidate: .requestPath, failure: .unreadable(errno: error))
            }
            observer.tried(.requestPath, path: file, outcome: .found)
            return .file(path: file, info: info, index: nil)
        case .directory:
            observer.tried(.requestPath, path: file, outcome: .directory)
        }
        guard path.hasSuffix("/") else { return .redirectToSlash(directory: file, index: nil) }
        // Read through the location (a class): `settings` would copy the whole struct.
        for index in location.settings.index {
            let candidate = file.hasSuffix("/") ? file + index : file + "/" + index
            switch fileSystem.status(of: candidate) {
            case .regular(let info):
                if let error = fileSystem.openFailure(of: candidate, info: info) {
                    observer.tried(.index(index), path: candidate, outcome: .unreadable(errno: error))
                    return .failed(status: Self.status(forFileError: error), path: candidate, candidate: .index(index),
                                   failure: .unreadable(errno: error))
                }
                observer.tried(.index(index), path: candidate, outcome: .found)
                return .file(path: candidate, info: info, index: index)
            case .directory:
                observer.tried(.index(index), path: candidate, outcome: .directory)
                return .redirectToSlash(directory: candidate, index: index)
            case .other:
                observer.tried(.index(index), path: candidate, outcome: .notRegular)
                return .failed(status: 404, path: candidate, candidate: .index(index), failure: .notRegular)
            case .failed(let error):
                observer.tried(.index(index), path: candidate, outcome: .failed(errno: error))
                // nginx's index module stops at these; a missing name (or a symlink loop) is passed over.
                if Self.indexSearchStops(at: error) {
                    return .failed(status: Self.status(forFileError: error), path: candidate, candidate: .index(index),
                                   failure: .status(errno: error))
                }
            }
        }
        if location.settings.autoindex { return .autoindex(directory: file) }
        return .failed(status: 403, path: file, candidate: .requestPath, failure: .noIndex)
    }

    /// nginx's try_files phase: the first of `names` (evaluated `try_files`
    /// candidates, `directory` for those written with a final `/`) that exists
    /// under the route's root or alias: a directory where one is wanted,
    /// anything else where not. nil: none does, the fallback answers.
    @inlinable
    public func lookUpTryFiles<FileSystem: LookupFileSystem, Observer: FileLookupObserver>(
        _ names: [(name: String, directory: Bool)], in fileSystem: FileSystem, observer: inout Observer
    ) -> String? {
        for (name, directory) in names {
            let file = filesystemPath(for: name)
            let shown = directory && !name.hasSuffix("/") ? name + "/" : name
            switch fileSystem.status(of: file) {
            case .directory where directory:
                observer.tried(.tryFile(shown), path: file, outcome: .directory)
                return name
            case .directory:
                observer.tried(.tryFile(shown), path: file, outcome: .directory)
            case .regular, .other:
                if directory {
                    observer.tried(.tryFile(shown), path: file, outcome: .notDirectory)
                } else {
                    observer.tried(.tryFile(shown), path: file, outcome: .found)
                    return name
                }
            case .failed(let error):
                observer.tried(.tryFile(shown), path: file, outcome: .failed(errno: error))
            }
        }
        return nil
    }

    /// An index name stat(2) fails on with one of these ends the search with
    /// its status (403, 404), as in nginx's index module.
    @inlinable
    static func indexSearchStops(at error: Int32) -> Bool {
        error == EACCES || error == ENOTDIR || error == ENAMETOOLONG
    }
}
