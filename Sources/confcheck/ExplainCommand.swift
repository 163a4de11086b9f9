import ConfLang
import TLSInspection

/// `confcheck --explain URL [--method M] [--header 'Name: value']... FILE`:
/// what webserv would do with that request, from ConfLang's `Explainer`.
/// Exit status: 0 explained (whatever the answer), 1 the configuration has
/// errors (printed as lint prints them; webserv would not start), 2 usage or
/// I/O error. Warnings go to standard error and change nothing.
struct ExplainCommand {
    let confcheck: Confcheck
    let options: Options

    func run(_ outcome: inout Confcheck.Outcome) {
        guard let url = options.explainURL else { return }
        var headers: [(name: String, value: String)] = []
        for text in options.explainHeaders {
            switch ExplainRequest.header(text) {
            case .success(let header): headers.append(header)
            case .failure(let problem): return usage(problem, &outcome)
            }
        }
        let request = ExplainRequest(url: url, method: options.explainMethod ?? "GET", headers: headers, clientAddress: options.explainFrom)
        if let problem = request.problem { return usage(problem, &outcome) }
        guard let (path, bytes) = confcheck.read(options.files[0], &outcome) else { return }
        let inspector = OpenSSLCertificateInspector()
        switch Explainer.model(path: path, bytes: bytes, certificateInspector: inspector) {
        case .failure(.invalid(let diagnostics)):
            outcome.write(DiagnosticRenderer(format: options.outputFormat, showSnippets: options.snippets).render(diagnostics))
            outcome.fail(1)
        case .failure(.unreadable(let error)):
            outcome.errors += "confcheck: cannot read '\(error.path)': \(error.reason)\n"
            outcome.fail(2)
        case .success(let (config, warnings)):
            if !warnings.isEmpty { outcome.errors += DiagnosticRenderer(format: .text).render(warnings) }
            // The same bytes, read again for what the model does not hold: which addresses are TLS, which certificates.
            let tls = TLSServerMap(ConfigLoader().load(path: path, bytes: bytes))
            switch Explainer.explain(request, config: config, tls: tls, certificateInspector: inspector) {
            case .failure(let problem): usage(problem, &outcome)
            case .success(let explanation):
                outcome.write(options.outputFormat == .json
                              ? ExplanationRenderer.json(explanation).serialized(indent: 2) + "\n"
                              : ExplanationRenderer.text(explanation))
            }
        }
    }

    private func usage(_ problem: ExplainRequest.Problem, _ outcome: inout Confcheck.Outcome) {
        outcome.errors += "confcheck: \(problem.message)\nTry 'confcheck --help'.\n"
        outcome.fail(2)
    }
}
