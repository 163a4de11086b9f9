/// `try_files FILE... URI|=CODE`, nginx's: each FILE (variables allowed) is
/// tried under `root`/`alias`; one ending in `/` must be a directory, the
/// others anything but one. The first that exists becomes the request's path
/// in the same location; when none does, the last argument answers: an
/// internal redirect to URI (decided again from the start), or the status CODE.
public struct TryFiles: Equatable {
    public struct Candidate: Equatable {
        /// The value without its final `/` (nginx drops it, and the path found has none).
        public let name: VariableTemplate
        /// Written with a final `/`: only a directory matches.
        public let directory: Bool
    }

    public enum Fallback: Equatable {
        case uri(VariableTemplate)
        case status(Int)
    }

    public let candidates: [Candidate]
    public let fallback: Fallback

    /// From the directive's arguments (checked: at least two).
    public init(_ arguments: [String]) {
        candidates = arguments.dropLast().map { text in
            let directory = text.hasSuffix("/") && text.count > 1
            return Candidate(name: VariableTemplate.compiled(directory ? String(text.dropLast()) : text), directory: directory)
        }
        let last = arguments.last ?? "=404"
        if last.hasPrefix("="), let code = Values.wholeNumber(last.dropFirst()) {
            fallback = .status(code)
        } else {
            fallback = .uri(VariableTemplate.compiled(last))
        }
    }
}
