/// HTTP/2 on the wire, the last link of the output pipeline in place of
/// `HTTP1Encoder` for a stream's answer: the filtered `Response`'s status
/// and fields as the HEADERS frame's list (RFC 9113 §8.3.2). No status
/// line, no chunking, no `Connection`: the session drops HTTP/1.1's
/// connection fields and lower-cases the names as it encodes (§8.2.2), and
/// the body goes in DATA frames, ended by END_STREAM rather than a length.
enum HTTP2Encoder {
    /// The fields after `:status`: `server`, `date`, the response's own (the
    /// encoded ones of a cached file decoded), and `content-length` by
    /// HTTP1Encoder's rule (not for 1xx, 204, 304, or a body whose length
    /// is known only at its end).
    static func fields(_ response: Response, date: String) -> [HPACKHeaderField] {
        fields(response, date: Array(date.utf8)[...])
    }

    /// `date`: the loop's cached Date value (`ConnectionDriver.httpDate`, without its line end), as HTTP/1.1's.
    static func fields(_ response: Response, date: ArraySlice<UInt8>) -> [HPACKHeaderField] {
        var fields: [HPACKHeaderField] = [HPACKHeaderField(name: Array("server".utf8), value: Array("webserv".utf8)),
                                          HPACKHeaderField(name: Array("date".utf8), value: Array(date))]
        for (name, value) in response.fields {
            fields.append(HPACKHeaderField(name: Array(name.lowercased().utf8), value: Array(value.utf8)))
        }
        let status = response.status
        if status >= 200 && status != 204 && status != 304 && !response.streamed && !response.lengthUnknown {
            fields.append(HPACKHeaderField(name: Array("content-length".utf8), value: Array(String(response.bodyLength).utf8)))
        }
        return fields
    }
}
