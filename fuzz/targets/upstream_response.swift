/// UpstreamResponseParser fed a proxied server's answer in reads, as
/// ProxyAdapter.parseHead is, until it is no longer needMore. Properties: the
/// reads do not change the result (status, fields, bodyStart, refused or
/// invalid); `received` is the end of what was fed (interim answers dropped);
/// bodyStart lies inside it, just after an empty line; a final status (200 and above, or 101, the switch to a tunnel); every
/// field kept obeys the field-byte rule; nothing crashes.
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzHead(data, size, UpstreamResponseParser.init) { parser, fed, result in
        let received = parser.received
        if !fed.reversed().starts(with: received.reversed()) {
            propertyFailure("received \(received.count) bytes that are not the end of the \(fed.count) fed")
        }
        guard case .complete(let status, let headers, let bodyStart) = result else { return }
        if bodyStart > received.count { propertyFailure("bodyStart \(bodyStart) after the \(received.count) bytes received") }
        if received[..<bodyStart].last != 10 { propertyFailure("the head does not end with a line feed") }
        // Final: 200 and above, or 101 (the switch to a tunnel); other interim answers are read past.
        if !(200...999).contains(status) && status != 101 { propertyFailure("status \(status)") }
        for header in headers {
            let name = Array(header.name.utf8), value = Array(header.value.utf8)
            if name.isEmpty || !name.allSatisfy(HTTPSyntax.isTokenByte) { propertyFailure("name \(name)") }
            if !value.allSatisfy(HTTPSyntax.isFieldValueByte) || [32, 9].contains(value.first ?? 0) || [32, 9].contains(value.last ?? 0) {
                propertyFailure("value \(value)")
            }
        }
    }
    return 0
}
