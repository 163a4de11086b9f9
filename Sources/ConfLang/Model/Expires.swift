/// `expires off | epoch | max | [modified] TIME`: the `Expires` and
/// `Cache-Control` fields nginx's headers filter adds to an answer.
public enum Expires: Equatable {
    case off
    /// Already expired: `Thu, 01 Jan 1970 00:00:01 GMT`, `no-cache`.
    case epoch
    /// Ten years: `Thu, 31 Dec 2037 23:55:55 GMT`, `max-age=315360000`.
    case max
    /// TIME seconds after the answer (negative: in the past, `no-cache`).
    case afterAccess(seconds: Int)
    /// TIME seconds after the answer's `Last-Modified` (after the answer when it has none).
    case afterModification(seconds: Int)

    /// The value of `expires` ARGUMENTS; nil when they are not one.
    public static func parse(_ values: [String]) -> Expires? {
        if values.count == 2 {
            return values[0] == "modified" ? seconds(values[1]).map { .afterModification(seconds: $0) } : nil
        }
        guard values.count == 1 else { return nil }
        switch values[0] {
        case "off": return .off
        case "epoch": return .epoch
        case "max": return .max
        default: return seconds(values[0]).map { .afterAccess(seconds: $0) }
        }
    }

    /// nginx's time in seconds, with an optional leading `-` (`30d`, `1h30m`, `-1`; no `ms`).
    static func seconds(_ text: String) -> Int? {
        let negative = text.hasPrefix("-")
        let magnitude = String(negative ? text.dropFirst() : Substring(text))
        guard !magnitude.contains("ms"), let milliseconds = Values.milliseconds(magnitude) else { return nil }
        return (negative ? -1 : 1) * milliseconds / 1000
    }

    /// Only these statuses carry the fields, as in nginx.
    public static func applies(toStatus status: Int) -> Bool {
        switch status {
        case 200, 201, 204, 206, 301, 302, 303, 304, 307, 308: return true
        default: return false
        }
    }

    /// The fields for an answer sent at `now` whose `Last-Modified` is
    /// `lastModified` (Unix seconds): the `Expires` time and the
    /// `Cache-Control` value; nil for `off`.
    public func fields(now: Int, lastModified: Int?) -> (expires: Int, cacheControl: String)? {
        let time: Int, maxAge: Int, offset: Int
        switch self {
        case .off: return nil
        case .epoch: return (1, "no-cache")
        case .max: return (2_145_916_555, "max-age=315360000")
        case .afterAccess(let seconds):
            (time, maxAge, offset) = (now + seconds, seconds, seconds)
        case .afterModification(let seconds):
            guard let lastModified else { return Expires.afterAccess(seconds: seconds).fields(now: now, lastModified: nil) }
            (time, maxAge, offset) = (lastModified + seconds, lastModified + seconds - now, seconds)
        }
        return (time, offset < 0 || maxAge < 0 ? "no-cache" : "max-age=\(maxAge)")
    }

    /// What the checker says about argument `index` of `values` (nil: fine).
    static func problem(_ values: [String], _ index: Int) -> String? {
        guard parse(values) == nil else { return nil }
        if index == 0, values.count == 2, values[0] != "modified" {
            return "invalid value '\(values[0])' for 'expires': only 'modified' may come before a time"
        }
        // With two arguments, blame the first unless it is 'modified', then the time.
        if values.count == 2, (index == 0) == (values[0] == "modified") { return nil }
        if values.count == 1, values[0].hasPrefix("@") {
            return "'expires \(values[0])': a time of day is not supported; use a time after the answer (e.g. 1h)"
        }
        if values.count == 1, values[0] == "modified" { return "'expires modified' needs a time (e.g. modified 30d)" }
        return "invalid time '\(values[index])' for 'expires': use off, epoch, max, or [modified] TIME, e.g. 30d, 1h30m, -1"
    }

    /// The value syntax of `expires`, for the checker, hover and completion.
    static let customValue = DirectiveSpec.CustomValue(
        placeholder: "[modified] TIME|epoch|max|off",
        completions: [("off", "no Expires or Cache-Control field"), ("epoch", "already expired (no-cache)"),
                      ("max", "expires in ten years"), ("modified", "a time after the file's Last-Modified")],
        code: .valueTime, problem: problem)
}
