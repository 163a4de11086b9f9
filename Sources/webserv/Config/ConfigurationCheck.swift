import ConfLang
import TLSInspection

/// Loads and checks a configuration with exactly confcheck's checks and
/// rendering, for `-t`, start-up and reload.
struct ConfigurationCheck {
    enum Outcome {
        case valid(WebservConfig, report: String)
        case invalid(report: String)
    }

    var renderer = DiagnosticRenderer(format: .text, showSnippets: false, useColor: false)

    func run(path: String) -> Outcome {
        switch ModelBuilder.build(path: path, certificateInspector: OpenSSLCertificateInspector()) {
        case .failure(.unreadable(let error)):
            return .invalid(report: "webserv: cannot read '\(path)': \(error.reason)\n")
        case .failure(.invalid(let diagnostics)):
            return .invalid(report: renderer.render(diagnostics))
        case .success(let (config, warnings)):
            return .valid(config, report: renderer.render(warnings))
        }
    }

    /// For SIGHUP: the configuration now in `path`, or nil after logging why
    /// the current one stays.
    func reload(path: String, logs: Logs) -> WebservConfig? {
        switch run(path: path) {
        case .invalid(let report):
            logs.error("error", "reload of \(path) failed; keeping the current configuration:\n\(report)")
            return nil
        case .valid(let new, _):
            return new
        }
    }
}
