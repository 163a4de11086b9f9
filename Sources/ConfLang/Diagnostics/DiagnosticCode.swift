/// Every diagnostic ConfLang and confcheck can report, one case per code.
/// Diagnostics are made from these cases only, so no code escapes the
/// catalogue (`DiagnosticCatalogue.swift` gives each its string, severity
/// and help); the strings are stable: scripts and suppressions name them.
public enum DiagnosticCode: CaseIterable {
    // Lexer and parser
    case syntaxUnterminatedString, syntaxTextAfterQuote, syntaxTokenTooLong
    case syntaxUnexpectedCloseBrace, syntaxEmptyDirective, syntaxBlockWithoutName
    case syntaxMissingSemicolon, syntaxTooDeep, syntaxUnclosedBlock
    case encodingInvalidUTF8
    // Includes
    case includeArguments, includeUnreadable, includeTooDeep, includeCycle
    // The directive table
    case directiveUnknown, directiveUnsupported, directiveContext, directiveUnexpectedBlock
    case directiveMissingBlock, directiveArguments, directiveDuplicate
    case directiveNoEffect, directiveObsolete
    // Argument values
    case valueVariable, valueSize, valueTime, valueNumber, valuePath, valueOnOff, valueMimeType
    case valueLogLevel, valueCharset, valueLogFormat, valuePort, valueAddress, valueListenParameter
    case valueServerName, valueProxyURL, valueMethod, valueMethodRepeated, valueErrorPageURI
    case valueStatus, valueReturnRedirect, valueReturnNonstandard
    case valueEventMethod, valueAccessAddress, valueSatisfy, valueNextUpstream
    case variableUnknown, variableInvalid, mapEntry, tryFilesFallback, tryFilesNoFallback
    case valueSSL, tlsNoCertificate, proxySSLIncomplete, proxySSLNoEffect
    // Servers and locations
    case listenDuplicate, listenHostNotFound, serverDuplicateDefault, serverDuplicateName
    case proxyHostNotFound, proxyStaleDNS, serverImplicitDefault
    case locationPattern, locationModifier, locationDuplicate, locationNeverMatches, locationRootAndAlias
    case typesEntry, typesMimeType, typesNoExtension, typesDuplicateExtension
    case upstreamEntry, upstreamServer, upstreamDuplicate, upstreamNoServers, upstreamBalancing
    // Lints
    case cgiNotExecutable, logErrorLogOff
    case workerConnectionsOverLimit
    case securityRootFilesystem, securityAliasTraversal, securityProxyPathTraversal
    case securityUploadExecutable, securityAutoindexSite, securityAddHeaderRedefinition
    case accessUnreachableRule, accessLowAddressBits, authNoUserFile, authUserFile, authUserFileWorldReadable
    // Certificates and keys (read when an inspector is passed in: confcheck, webserv -t)
    case certificateUnreadable, certificateNotPEM, certificateKeyMismatch, certificateChainOrder, certificateChainBroken
    case certificateExpired, certificateExpiring, certificateNameNotCovered, certificateKeyWorldReadable
    // confcheck itself
    case suppressionUnknownCode, suppressionMalformed
    case lspAssumedContext

    /// The code as printed (`[syntax.missing-semicolon]`).
    public var code: String { entry.code }
    public var defaultSeverity: Diagnostic.Severity { entry.severity }
    public var entry: DiagnosticCatalogue.Entry { DiagnosticCatalogue.entry(for: self) }

    /// The case for a printed code (as written in `# confcheck: ignore[...]`).
    public init?(code: String) {
        guard let found = DiagnosticCode.byCode[code] else { return nil }
        self = found
    }

    private static let byCode: [String: DiagnosticCode] =
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.code, $0) })
}
