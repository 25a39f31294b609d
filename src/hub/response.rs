//! The pure half of the hub client: a response head and its body framing,
//! read from bytes. No I/O here, so every rule is unit-tested and fuzzable.
//!
//! Strict where a lax reader would lose data silently (a body shorter or
//! longer than its framing says is an error, never a short page taken as
//! whole, and chunked framing takes CRLF only: with a bare LF allowed after
//! a chunk's data, a chunk one byte short passes); as lenient as a browser
//! where leniency loses nothing (bare LF line ends in the head, obs-text
//! bytes in header values, chunk extensions).

use std::fmt;

/// Bodies bigger than this are refused: the largest real page is ~130 KB
/// (250 devices), so 4 MiB leaves room for any hub and none for a flood.
pub const MAX_BODY_BYTES: usize = 4 << 20;
/// Response heads bigger than these are refused.
pub const MAX_HEADERS_BYTES: usize = 16 << 10;
pub const MAX_STATUS_LINE_BYTES: usize = 1 << 10;
/// Header lines in one head; the hub sends about five.
pub const MAX_HEADER_LINES: usize = 64;
/// Characters of a refusal's reason phrase and `Location` kept for the log.
pub const MAX_REASON_CHARS: usize = 64;
pub const MAX_LOCATION_CHARS: usize = 128;
/// A chunk size line (hex size plus extensions), and all trailer lines
/// together, in bytes.
pub const MAX_CHUNK_LINE_BYTES: usize = 1 << 10;
pub const MAX_TRAILER_BYTES: usize = 4 << 10;

/// How the body's end is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    Length(usize),
    Chunked,
    /// Neither: the body ends when the hub closes the connection.
    UntilClose,
}

/// A parsed response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub code: u16,
    /// Cut to [`MAX_REASON_CHARS`] and safe for one log line.
    pub reason: String,
    /// Cut to [`MAX_LOCATION_CHARS`] and safe for one log line.
    pub location: Option<String>,
    /// Only meaningful for a 200; a redirect's odd framing must not hide
    /// that it is a redirect.
    pub framing: Result<Framing, HeadError>,
    /// Bytes of the head, blank line included: the body starts there.
    pub len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadError {
    StatusLineTooLong,
    HeadersTooLarge,
    TooManyHeaders,
    Malformed(String),
    BadContentLength,
    TransferEncoding(String),
    ContentEncoding(String),
}

impl fmt::Display for HeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeadError::StatusLineTooLong => {
                write!(f, "status line longer than {MAX_STATUS_LINE_BYTES} bytes")
            }
            HeadError::HeadersTooLarge => {
                write!(f, "response headers larger than {MAX_HEADERS_BYTES} bytes")
            }
            HeadError::TooManyHeaders => {
                write!(f, "more than {MAX_HEADER_LINES} response header lines")
            }
            HeadError::Malformed(what) => write!(f, "malformed response head: {what}"),
            HeadError::BadContentLength => f.write_str("malformed or conflicting Content-Length"),
            HeadError::TransferEncoding(v) => write!(f, "Transfer-Encoding {v:?} is not supported"),
            HeadError::ContentEncoding(v) => write!(f, "Content-Encoding {v:?} is not supported"),
        }
    }
}

/// Parses the head at the start of `buf`; `Ok(None)` while it is incomplete.
pub fn parse_head(buf: &[u8]) -> Result<Option<Head>, HeadError> {
    let status_len = match buf.iter().position(|&b| b == b'\n') {
        Some(i) if i < MAX_STATUS_LINE_BYTES => i + 1,
        Some(_) => return Err(HeadError::StatusLineTooLong),
        None if buf.len() >= MAX_STATUS_LINE_BYTES => return Err(HeadError::StatusLineTooLong),
        None => return Ok(None),
    };
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADER_LINES];
    let mut response = httparse::Response::new(&mut headers);
    let parsed = httparse::ParserConfig::default()
        .allow_spaces_after_header_name_in_responses(true)
        .allow_obsolete_multiline_headers_in_responses(true)
        .parse_response(&mut response, buf);
    let len = match parsed {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => {
            if buf.len() - status_len > MAX_HEADERS_BYTES {
                return Err(HeadError::HeadersTooLarge);
            }
            return Ok(None);
        }
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooManyHeaders),
        Err(e) => return Err(HeadError::Malformed(e.to_string())),
    };
    if len - status_len > MAX_HEADERS_BYTES {
        return Err(HeadError::HeadersTooLarge);
    }
    let code = response
        .code
        .ok_or_else(|| HeadError::Malformed("no status code".into()))?;
    // The reason from the raw bytes: httparse gives "" for a reason with
    // non-ASCII bytes, and the log should show what the hub said.
    let line = trim_line_end(&buf[..status_len]);
    let reason = line.splitn(3, |&b| b == b' ').nth(2).unwrap_or(b"");
    let headers = response.headers;
    let location = header(headers, "location").map(|v| one_line(v, MAX_LOCATION_CHARS));
    Ok(Some(Head {
        code,
        reason: one_line(reason, MAX_REASON_CHARS),
        location,
        framing: framing(headers),
        len,
    }))
}

fn framing(headers: &[httparse::Header]) -> Result<Framing, HeadError> {
    if let Some(coding) =
        list(headers, "content-encoding").find(|c| !c.eq_ignore_ascii_case(b"identity"))
    {
        return Err(HeadError::ContentEncoding(one_line(
            coding,
            MAX_REASON_CHARS,
        )));
    }
    // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length. Only plain
    // chunked is read: any other coding (we asked for none) would hand the
    // page's parser bytes it cannot read exactly.
    let mut codings = list(headers, "transfer-encoding");
    if let Some(first) = codings.next() {
        if first.eq_ignore_ascii_case(b"chunked") && codings.next().is_none() {
            return Ok(Framing::Chunked);
        }
        let all: Vec<&[u8]> = headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("transfer-encoding"))
            .map(|h| h.value)
            .collect();
        return Err(HeadError::TransferEncoding(one_line(
            &all.join(&b", "[..]),
            MAX_REASON_CHARS,
        )));
    }
    // Several Content-Length values (in one header or many) must agree.
    let mut length = None;
    for value in list(headers, "content-length") {
        if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
            return Err(HeadError::BadContentLength);
        }
        let n = value
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
        if length.is_some_and(|l| l != n) {
            return Err(HeadError::BadContentLength);
        }
        length = Some(n);
    }
    Ok(match length {
        // Past the body cap it is refused anyway; saturate rather than wrap.
        Some(n) => Framing::Length(usize::try_from(n).unwrap_or(usize::MAX)),
        None => Framing::UntilClose,
    })
}

fn header<'a>(headers: &[httparse::Header<'a>], name: &str) -> Option<&'a [u8]> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| trim(h.value))
}

/// The comma-separated elements of every `name` header, trimmed, empty
/// elements dropped (RFC 9110 §5.6.1).
fn list<'a>(headers: &'a [httparse::Header<'a>], name: &'a str) -> impl Iterator<Item = &'a [u8]> {
    headers
        .iter()
        .filter(move |h| h.name.eq_ignore_ascii_case(name))
        .flat_map(|h| h.value.split(|&b| b == b','))
        .map(trim)
        .filter(|v| !v.is_empty())
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |i| i + 1);
    &v[start..end]
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Hub bytes made fit for one log line: lossy UTF-8, at most `max` characters
/// (then "…"), control characters escaped.
fn one_line(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Why a body was refused. Every way it can end early reads "truncated".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    TooLarge,
    Short {
        expected: usize,
        got: usize,
    },
    Long {
        expected: usize,
    },
    /// The connection closed before the last (zero-size) chunk.
    NoLastChunk {
        got: usize,
    },
    /// Closed inside a chunk's data.
    ShortChunk {
        got: usize,
    },
    BadChunkSize {
        got: usize,
    },
    /// A chunk's data not followed by its line end: the chunk was shorter or
    /// longer than its size line said.
    ChunkEnd {
        got: usize,
    },
    /// Closed inside the trailers.
    Trailers,
    TrailersTooLarge,
    /// A trailer line not ended by CRLF.
    BadTrailers,
    /// Bytes after the last chunk and its trailers.
    AfterEnd,
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::TooLarge => write!(f, "body larger than {MAX_BODY_BYTES} bytes"),
            BodyError::Short { expected, got } => {
                write!(f, "body truncated: {got} of {expected} bytes")
            }
            BodyError::Long { expected } => {
                write!(f, "body longer than its Content-Length of {expected} bytes")
            }
            BodyError::NoLastChunk { got } => write!(
                f,
                "body truncated: the connection closed after {got} bytes, before the last chunk"
            ),
            BodyError::ShortChunk { got } => write!(
                f,
                "body truncated: the connection closed inside a chunk, after {got} bytes"
            ),
            BodyError::BadChunkSize { got } => {
                write!(f, "body truncated: a bad chunk size line after {got} bytes")
            }
            BodyError::ChunkEnd { got } => write!(
                f,
                "body truncated: a chunk not ended by a line break after {got} bytes \
                 (shorter or longer than its size line)"
            ),
            BodyError::Trailers => {
                f.write_str("body truncated: the connection closed in the trailers")
            }
            BodyError::TrailersTooLarge => {
                write!(f, "trailers larger than {MAX_TRAILER_BYTES} bytes")
            }
            BodyError::BadTrailers => f.write_str("a trailer line not ended by CRLF"),
            BodyError::AfterEnd => f.write_str("bytes after the end of the chunked body"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Expecting a chunk size line.
    Size,
    /// Inside a chunk: bytes of data left.
    Data(usize),
    /// After a chunk's data: expecting its line end.
    DataEnd,
    /// After the last chunk: trailer bytes seen so far.
    Trailers(usize),
    Done,
}

/// Takes a body's raw bytes as they arrive and gives back the body.
#[derive(Debug)]
pub struct Decoder {
    framing: Framing,
    state: State,
    body: Vec<u8>,
}

impl Decoder {
    pub fn new(framing: Framing) -> Result<Decoder, BodyError> {
        let (state, capacity) = match framing {
            Framing::Length(n) if n > MAX_BODY_BYTES => return Err(BodyError::TooLarge),
            Framing::Length(0) => (State::Done, 0),
            Framing::Length(n) => (State::Data(n), n),
            Framing::Chunked => (State::Size, 64 << 10),
            Framing::UntilClose => (State::Data(usize::MAX), 64 << 10),
        };
        Ok(Decoder {
            framing,
            state,
            body: Vec::with_capacity(capacity),
        })
    }

    /// Consumes what it can of `input` and returns how many bytes that was;
    /// the rest (a partial line) must be offered again with more bytes after
    /// it. Bytes past the body's end are an error.
    pub fn feed(&mut self, input: &[u8]) -> Result<usize, BodyError> {
        let mut at = 0;
        while at < input.len() {
            let rest = &input[at..];
            match self.state {
                State::Done => {
                    return Err(match self.framing {
                        Framing::Length(expected) => BodyError::Long { expected },
                        _ => BodyError::AfterEnd,
                    })
                }
                State::Data(left) => {
                    let n = left.min(rest.len());
                    if self.body.len() + n > MAX_BODY_BYTES {
                        return Err(BodyError::TooLarge);
                    }
                    self.body.extend_from_slice(&rest[..n]);
                    at += n;
                    self.state = match (self.framing, left - n) {
                        (Framing::UntilClose, _) => State::Data(usize::MAX),
                        (Framing::Chunked, 0) => State::DataEnd,
                        (_, 0) => State::Done,
                        (_, left) => State::Data(left),
                    };
                }
                State::DataEnd => match rest {
                    [b'\r', b'\n', ..] => {
                        at += 2;
                        self.state = State::Size;
                    }
                    [b'\r'] => break,
                    _ => {
                        return Err(BodyError::ChunkEnd {
                            got: self.body.len(),
                        })
                    }
                },
                State::Size => {
                    let got = self.body.len();
                    let Some(line) = line(rest, MAX_CHUNK_LINE_BYTES)
                        .map_err(|()| BodyError::BadChunkSize { got })?
                    else {
                        break;
                    };
                    let size = line
                        .strip_suffix(b"\r\n")
                        .and_then(chunk_size)
                        .ok_or(BodyError::BadChunkSize { got })?;
                    if size > MAX_BODY_BYTES - got {
                        return Err(BodyError::TooLarge);
                    }
                    at += line.len();
                    self.state = if size == 0 {
                        State::Trailers(0)
                    } else {
                        State::Data(size)
                    };
                }
                State::Trailers(seen) => {
                    let room = MAX_TRAILER_BYTES - seen;
                    let Some(line) = line(rest, room).map_err(|()| BodyError::TrailersTooLarge)?
                    else {
                        break;
                    };
                    if !line.ends_with(b"\r\n") {
                        return Err(BodyError::BadTrailers);
                    }
                    at += line.len();
                    self.state = if line.len() == 2 {
                        State::Done
                    } else {
                        State::Trailers(seen + line.len())
                    };
                }
            }
        }
        Ok(at)
    }

    /// True once the framing says the body is complete.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The connection has ended: the body, or why it is not whole.
    pub fn finish(self) -> Result<Vec<u8>, BodyError> {
        let got = self.body.len();
        match (self.framing, self.state) {
            (_, State::Done) | (Framing::UntilClose, _) => Ok(self.body),
            (Framing::Length(expected), _) => Err(BodyError::Short { expected, got }),
            (_, State::Size) => Err(BodyError::NoLastChunk { got }),
            (_, State::Data(_) | State::DataEnd) => Err(BodyError::ShortChunk { got }),
            (_, State::Trailers(_)) => Err(BodyError::Trailers),
        }
    }
}

/// The first line of `input`, line end included; `Ok(None)` while it has
/// none yet, `Err` when it would be longer than `max` bytes.
fn line(input: &[u8], max: usize) -> Result<Option<&[u8]>, ()> {
    match input.iter().take(max).position(|&b| b == b'\n') {
        Some(i) => Ok(Some(&input[..=i])),
        None if input.len() >= max => Err(()),
        None => Ok(None),
    }
}

/// A chunk size line without its line end: hex digits, then optionally
/// whitespace and `;extensions` (ignored, as RFC 9112 §7.1.1 allows).
/// Written here rather than with `httparse::parse_chunk_size`, which reads
/// an empty line as a zero-size chunk: a cut body would pass as whole.
fn chunk_size(line: &[u8]) -> Option<usize> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 || digits > 16 {
        return None;
    }
    let rest = trim(&line[digits..]);
    if !(rest.is_empty() || rest[0] == b';')
        || rest.iter().any(|&b| b.is_ascii_control() && b != b'\t')
    {
        return None;
    }
    let mut n: u64 = 0;
    for &b in &line[..digits] {
        n = n * 16 + u64::from(char::from(b).to_digit(16)?);
    }
    // Past the body cap it is refused anyway; saturate rather than wrap.
    Some(usize::try_from(n).unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &str) -> Head {
        parse_head(raw.as_bytes()).unwrap().unwrap()
    }

    /// Feeds `raw` in pieces of `step` bytes, as reads would deliver it,
    /// then ends the connection.
    fn decode(framing: Framing, raw: &[u8], step: usize) -> Result<Vec<u8>, BodyError> {
        let mut d = Decoder::new(framing)?;
        let mut pending = Vec::new();
        for piece in raw.chunks(step) {
            pending.extend_from_slice(piece);
            let n = d.feed(&pending)?;
            pending.drain(..n);
        }
        d.finish()
    }

    fn chunked(raw: &str) -> Vec<Result<Vec<u8>, BodyError>> {
        [1, 2, 3, 7, raw.len().max(1)]
            .iter()
            .map(|&step| decode(Framing::Chunked, raw.as_bytes(), step))
            .collect()
    }

    #[test]
    fn a_plain_200() {
        let h = head("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
        assert_eq!(h.code, 200);
        assert_eq!(h.reason, "OK");
        assert_eq!(h.location, None);
        assert_eq!(h.framing, Ok(Framing::Length(5)));
        assert_eq!(h.len, 57);
    }

    #[test]
    fn incomplete_heads_ask_for_more() {
        for raw in [
            "",
            "HTTP/1.1 200",
            "HTTP/1.1 200 OK\r\n",
            "HTTP/1.1 200 OK\r\nA: b\r\n",
        ] {
            assert_eq!(parse_head(raw.as_bytes()), Ok(None), "{raw:?}");
        }
    }

    #[test]
    fn header_bytes_are_bytes() {
        let raw = b"HTTP/1.1 200 OK\r\nX-Name: caf\xe9 \xff\r\nContent-Length: 2\r\n\r\nok";
        let h = parse_head(raw).unwrap().unwrap();
        assert_eq!((h.code, h.framing), (200, Ok(Framing::Length(2))));
        let h = parse_head(b"HTTP/1.1 302 Gef\xfcnden\r\nLocation: /l\xe9\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(h.reason, "Gef\u{fffd}nden");
        assert_eq!(h.location.as_deref(), Some("/l\u{fffd}"));
    }

    #[test]
    fn what_is_logged_is_cut_and_has_no_control_characters() {
        let raw = format!(
            "HTTP/1.1 302 {}\r\nLocation: /x\u{9b}31m\ty{}\r\n\r\n",
            "R".repeat(500),
            "L".repeat(500)
        );
        let h = head(&raw);
        assert_eq!(h.reason, format!("{}…", "R".repeat(MAX_REASON_CHARS)));
        let loc = h.location.unwrap();
        assert!(loc.starts_with("/x\\u{9b}31m\\ty"), "{loc}");
        assert!(!loc.chars().any(char::is_control), "{loc}");
        assert_eq!(
            loc.chars().filter(|&c| c == 'L').count(),
            MAX_LOCATION_CHARS - 8
        );
        assert_eq!(one_line(b"a\r\nb", 10), "a\\r\\nb");
    }

    #[test]
    fn head_bounds() {
        let long_status = format!("HTTP/1.1 200 {}\r\n\r\n", "x".repeat(MAX_STATUS_LINE_BYTES));
        assert_eq!(
            parse_head(long_status.as_bytes()),
            Err(HeadError::StatusLineTooLong)
        );
        let partial = "x".repeat(MAX_STATUS_LINE_BYTES);
        assert_eq!(
            parse_head(partial.as_bytes()),
            Err(HeadError::StatusLineTooLong)
        );
        let big = format!(
            "HTTP/1.1 200 OK\r\nX: {}\r\n\r\n",
            "a".repeat(MAX_HEADERS_BYTES)
        );
        assert_eq!(parse_head(big.as_bytes()), Err(HeadError::HeadersTooLarge));
        assert_eq!(
            parse_head(&big.as_bytes()[..big.len() - 4]),
            Err(HeadError::HeadersTooLarge),
            "refused before it is complete"
        );
        let many = format!(
            "HTTP/1.1 200 OK\r\n{}\r\n",
            "A: b\r\n".repeat(MAX_HEADER_LINES + 1)
        );
        assert_eq!(parse_head(many.as_bytes()), Err(HeadError::TooManyHeaders));
        assert!(matches!(
            parse_head(b"HTTX/1.1 200 OK\r\n\r\n"),
            Err(HeadError::Malformed(_))
        ));
    }

    #[test]
    fn interim_and_redirect_heads() {
        let h = head("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n");
        assert_eq!((h.code, h.len), (100, 25));
        let h = head("HTTP/1.1 302 Found\r\nLocation:  /login.htm \r\nContent-Length: x\r\n\r\n");
        assert_eq!(h.location.as_deref(), Some("/login.htm"));
        assert_eq!(h.framing, Err(HeadError::BadContentLength));
    }

    #[test]
    fn framing_rules() {
        let f = |headers: &str| head(&format!("HTTP/1.1 200 OK\r\n{headers}\r\n")).framing;
        assert_eq!(f(""), Ok(Framing::UntilClose));
        assert_eq!(f("Content-Length: 0\r\n"), Ok(Framing::Length(0)));
        assert_eq!(
            f("Content-Length: 7, 7\r\nContent-Length: 7\r\n"),
            Ok(Framing::Length(7))
        );
        assert_eq!(
            f("Transfer-Encoding: chunked\r\nContent-Length: 7\r\n"),
            Ok(Framing::Chunked)
        );
        assert_eq!(f("Transfer-Encoding: Chunked\r\n"), Ok(Framing::Chunked));
        assert_eq!(f("Content-Encoding: identity\r\n"), Ok(Framing::UntilClose));
        for bad in [
            "Content-Length: 7\r\nContent-Length: 8\r\n",
            "Content-Length: -1\r\n",
            "Content-Length: 1 2\r\n",
            "Content-Length: +3\r\n",
            "Content-Length: 99999999999999999999\r\n",
        ] {
            assert_eq!(f(bad), Err(HeadError::BadContentLength), "{bad:?}");
        }
        assert!(matches!(
            f("Transfer-Encoding: gzip, chunked\r\n"),
            Err(HeadError::TransferEncoding(_))
        ));
        assert!(matches!(
            f("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"),
            Err(HeadError::TransferEncoding(_))
        ));
        assert!(matches!(
            f("Transfer-Encoding: identity\r\n"),
            Err(HeadError::TransferEncoding(_))
        ));
        assert!(matches!(
            f("Content-Encoding: gzip\r\n"),
            Err(HeadError::ContentEncoding(_))
        ));
    }

    #[test]
    fn content_length_is_strict() {
        for step in [1, 3, 100] {
            assert_eq!(
                decode(Framing::Length(5), b"hello", step),
                Ok(b"hello".to_vec())
            );
            assert_eq!(
                decode(Framing::Length(5), b"hel", step),
                Err(BodyError::Short {
                    expected: 5,
                    got: 3
                })
            );
            assert_eq!(
                decode(Framing::Length(5), b"hello!", step),
                Err(BodyError::Long { expected: 5 })
            );
        }
        assert_eq!(decode(Framing::Length(0), b"", 1), Ok(vec![]));
        assert_eq!(
            Decoder::new(Framing::Length(MAX_BODY_BYTES + 1)).unwrap_err(),
            BodyError::TooLarge
        );
        let d = Decoder::new(Framing::Length(2)).unwrap();
        assert!(!d.is_done());
    }

    #[test]
    fn until_close_reads_everything_up_to_the_cap() {
        assert_eq!(
            decode(Framing::UntilClose, b"all of it", 2),
            Ok(b"all of it".to_vec())
        );
        assert_eq!(decode(Framing::UntilClose, b"", 2), Ok(vec![]));
        let big = vec![b'a'; MAX_BODY_BYTES + 1];
        assert_eq!(
            decode(Framing::UntilClose, &big, 64 << 10),
            Err(BodyError::TooLarge)
        );
        assert_eq!(
            decode(Framing::UntilClose, &big[1..], 64 << 10).map(|b| b.len()),
            Ok(MAX_BODY_BYTES)
        );
    }

    #[test]
    fn chunked_good() {
        for raw in [
            "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
            "5;name=value\r\nhello\r\n6 ; x\r\n world\r\n0\r\n\r\n",
            "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n",
            "000005\r\nhello\r\n6\r\n world\r\n00\r\n\r\n",
        ] {
            for r in chunked(raw) {
                assert_eq!(r, Ok(b"hello world".to_vec()), "{raw:?}");
            }
        }
        let mut d = Decoder::new(Framing::Chunked).unwrap();
        assert_eq!(d.feed(b"0\r\n\r\n"), Ok(5));
        assert!(d.is_done());
        assert_eq!(d.finish(), Ok(vec![]));
    }

    #[test]
    fn chunked_cut_short_is_truncated() {
        for (raw, want) in [
            ("5\r\nhello\r\n", BodyError::NoLastChunk { got: 5 }),
            ("5\r\nhello", BodyError::ShortChunk { got: 5 }),
            ("5\r\nhel", BodyError::ShortChunk { got: 3 }),
            ("5\r\nhello\r\n0\r\n", BodyError::Trailers),
            ("5\r\nhello\r\n0\r\nX: y\r\n", BodyError::Trailers),
            ("", BodyError::NoLastChunk { got: 0 }),
            ("5\r\nhello\r\n3", BodyError::NoLastChunk { got: 5 }),
        ] {
            for r in chunked(raw) {
                assert_eq!(r, Err(want.clone()), "{raw:?}");
                assert!(want.to_string().starts_with("body truncated"), "{want}");
            }
        }
    }

    #[test]
    fn chunked_malformed() {
        for (raw, want) in [
            ("\r\n\r\n", BodyError::BadChunkSize { got: 0 }),
            (
                "x\r\nhello\r\n0\r\n\r\n",
                BodyError::BadChunkSize { got: 0 },
            ),
            ("5\r\nhello\r\n-1\r\n", BodyError::BadChunkSize { got: 5 }),
            (
                "5 6\r\nhello\r\n0\r\n\r\n",
                BodyError::BadChunkSize { got: 0 },
            ),
            (
                "0x5\r\nhello\r\n0\r\n\r\n",
                BodyError::BadChunkSize { got: 0 },
            ),
            (
                "5\r\nhello world\r\n0\r\n\r\n",
                BodyError::ChunkEnd { got: 5 },
            ),
            ("5\r\nhell\r\n0\r\n\r\n", BodyError::ChunkEnd { got: 5 }),
            ("5\r\nhello\r\n0\r\n\r\nextra", BodyError::AfterEnd),
            ("5\nhello\r\n0\r\n\r\n", BodyError::BadChunkSize { got: 0 }),
            ("5\r\nhello\n0\r\n\r\n", BodyError::ChunkEnd { got: 5 }),
            ("5\r\nhello\r\n0\r\nX: y\n\r\n", BodyError::BadTrailers),
        ] {
            for r in chunked(raw) {
                assert_eq!(r, Err(want.clone()), "{raw:?}");
            }
        }
        let long_line = format!(
            "5;{}\r\nhello\r\n0\r\n\r\n",
            "e".repeat(MAX_CHUNK_LINE_BYTES)
        );
        assert!(chunked(&long_line)
            .iter()
            .all(|r| r == &Err(BodyError::BadChunkSize { got: 0 })));
        let trailers = format!("0\r\n{}\r\n", "T: x\r\n".repeat(MAX_TRAILER_BYTES / 6 + 1));
        assert!(chunked(&trailers)
            .iter()
            .all(|r| r == &Err(BodyError::TrailersTooLarge)));
        let huge = format!("{:x}\r\n", MAX_BODY_BYTES + 1);
        assert_eq!(chunked(&huge)[4], Err(BodyError::TooLarge));
        assert_eq!(
            chunked("ffffffffffffffffff\r\n")[4],
            Err(BodyError::BadChunkSize { got: 0 })
        );
    }

    #[test]
    fn chunked_body_is_capped_across_chunks() {
        let piece = format!("{:x}\r\n{}\r\n", 1 << 20, "a".repeat(1 << 20));
        let raw = piece.repeat(5);
        assert_eq!(chunked(&raw)[4], Err(BodyError::TooLarge));
    }
}
