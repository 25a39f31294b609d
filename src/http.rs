//! The exporter's HTTP surface as pure functions: parse a request head,
//! route it, and write response heads. The event loop in [`crate::server`]
//! owns the sockets.

/// Request heads longer than this are answered 431.
pub const MAX_HEAD_BYTES: usize = 8 << 10;
const MAX_HEADERS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Metrics,
    /// `/`: the overview as HTML.
    Index,
    /// `/status.json`: the overview as JSON; without its history for
    /// `?history=0`.
    StatusJson {
        history: bool,
    },
    Healthy,
}

/// What to do with the bytes received so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// The head is not complete yet.
    Partial,
    /// A request to answer; `head_only` for HEAD.
    Ok { route: Route, head_only: bool },
    /// A request to refuse with this status; `head_only` for a HEAD that
    /// parsed (one that did not gets a body: its method is not known).
    Refuse {
        status: ErrorStatus,
        head_only: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorStatus {
    BadRequest,
    NotFound,
    MethodNotAllowed,
    HeadTooLarge,
    /// Too many connections: try again in a second.
    Unavailable,
    /// The scrape a `/metrics` request waited for has overrun `--timeout`.
    ScrapeOverdue,
}

impl ErrorStatus {
    fn line(self) -> &'static str {
        match self {
            ErrorStatus::BadRequest => "400 Bad Request",
            ErrorStatus::NotFound => "404 Not Found",
            ErrorStatus::MethodNotAllowed => "405 Method Not Allowed",
            ErrorStatus::HeadTooLarge => "431 Request Header Fields Too Large",
            ErrorStatus::Unavailable | ErrorStatus::ScrapeOverdue => "503 Service Unavailable",
        }
    }

    /// The one-line body: the status line, and why where that is not plain.
    fn message(self) -> &'static str {
        match self {
            ErrorStatus::ScrapeOverdue => {
                "503 Service Unavailable: the scrape has overrun --timeout and is still running"
            }
            other => other.line(),
        }
    }
}

fn refuse(status: ErrorStatus) -> Request {
    Request::Refuse {
        status,
        head_only: false,
    }
}

pub fn parse(buf: &[u8]) -> Request {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD_BYTES => {
            return refuse(ErrorStatus::HeadTooLarge)
        }
        Ok(httparse::Status::Partial) => return Request::Partial,
        Err(httparse::Error::TooManyHeaders) => return refuse(ErrorStatus::HeadTooLarge),
        Err(_) => return refuse(ErrorStatus::BadRequest),
    }
    let (Some(method), Some(target)) = (req.method, req.path) else {
        return refuse(ErrorStatus::BadRequest);
    };
    let head_only = method == "HEAD";
    let status = |status| Request::Refuse { status, head_only };
    let Some((path, query)) = path_of(target) else {
        return status(ErrorStatus::BadRequest);
    };
    let route = match path {
        "/metrics" => Route::Metrics,
        "/" => Route::Index,
        "/status.json" => Route::StatusJson {
            history: !history_off(query),
        },
        "/-/healthy" => Route::Healthy,
        _ => return status(ErrorStatus::NotFound),
    };
    if !matches!(method, "GET" | "HEAD") {
        return status(ErrorStatus::MethodNotAllowed);
    }
    Request::Ok { route, head_only }
}

/// The path a request target names, and its query (empty for none):
/// origin-form (`/metrics?x`), or absolute-form
/// (`http://host:9101/metrics`), which RFC 9112 §3.2.2 says a server must
/// accept (a proxy-minded client sends it). None for anything else:
/// authority-form is for CONNECT and asterisk-form for OPTIONS, neither of
/// which is served.
fn path_of(target: &str) -> Option<(&str, &str)> {
    if target.starts_with('/') {
        return Some(split_query(target));
    }
    let (scheme, rest) = target.split_once("://")?;
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return None;
    }
    // The authority ends where the path, the query or the fragment begins;
    // an empty path is "/" (RFC 9110 §4.2.3).
    let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    // RFC 9110 §4.2.1: an http URI with an empty host must be rejected.
    if authority.is_empty() {
        return None;
    }
    match split_query(path) {
        ("", query) => Some(("/", query)),
        found => Some(found),
    }
}

/// The query asks for no history: it has `history=0` and no other
/// `history` parameter. Any other value, a repeated or a bare `history`
/// means the default (all of it), and every other parameter is ignored:
/// a client that asks for something this exporter does not know gets the
/// whole document, never less than it asked for. The value is compared
/// as sent, not percent-decoded (`%30` is no `0`).
fn history_off(query: &str) -> bool {
    let mut off = false;
    let mut given = 0;
    for p in query.split('&') {
        if p == "history" || p.starts_with("history=") {
            off = p == "history=0";
            given += 1;
        }
    }
    off && given == 1
}

pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
pub const TEXT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// Sent with the overview (`/`, `/status.json`): nothing in them may run or
/// load anything (no script, no request of any kind; styles only inline),
/// no content sniffing, and no copy kept by a cache (what it shows is the
/// hub's now).
pub const OVERVIEW_HEADERS: &str = "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n";

/// A response head for a 200, with a `Content-Length` when the length is
/// known (a HEAD may not know it). Every response closes the connection: one
/// request per connection keeps the single-threaded server's state small.
pub fn ok_head(content_type: &str, body_len: Option<usize>) -> Vec<u8> {
    head(content_type, body_len, "")
}

/// [`ok_head`] with the overview's [`OVERVIEW_HEADERS`].
pub fn overview_head(content_type: &str, body_len: Option<usize>) -> Vec<u8> {
    head(content_type, body_len, OVERVIEW_HEADERS)
}

fn head(content_type: &str, body_len: Option<usize>, extra: &str) -> Vec<u8> {
    let length = body_len.map_or(String::new(), |n| format!("Content-Length: {n}\r\n"));
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{length}{extra}Connection: close\r\n\r\n"
    )
    .into_bytes()
}

/// A whole error response, with a one-line text body.
pub fn error_response(status: ErrorStatus, head_only: bool) -> Vec<u8> {
    let body = format!("{}\n", status.message());
    let extra = match status {
        ErrorStatus::MethodNotAllowed => "Allow: GET, HEAD\r\n",
        ErrorStatus::Unavailable => "Retry-After: 1\r\n",
        _ => "",
    };
    let mut out = format!(
        "HTTP/1.1 {}\r\nContent-Type: {TEXT_CONTENT_TYPE}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        status.line(),
        body.len()
    );
    if !head_only {
        out.push_str(&body);
    }
    out.into_bytes()
}

/// A path and its query, without the fragment (which a client should not
/// send, and which names nothing on the server).
fn split_query(target: &str) -> (&str, &str) {
    let target = target.split('#').next().unwrap_or(target);
    target.split_once('?').unwrap_or((target, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(route: Route, head_only: bool) -> Request {
        Request::Ok { route, head_only }
    }

    fn refused(status: ErrorStatus, head_only: bool) -> Request {
        Request::Refuse { status, head_only }
    }

    #[test]
    fn routes_requests() {
        assert_eq!(
            parse(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
            ok(Route::Metrics, false)
        );
        assert_eq!(
            parse(b"HEAD /metrics?x=1 HTTP/1.0\r\n\r\n"),
            ok(Route::Metrics, true)
        );
        assert_eq!(parse(b"GET / HTTP/1.1\r\n\r\n"), ok(Route::Index, false));
        assert_eq!(
            parse(b"HEAD /status.json?x HTTP/1.1\r\n\r\n"),
            ok(Route::StatusJson { history: true }, true)
        );
        assert_eq!(
            parse(b"GET /status.jsonx HTTP/1.1\r\n\r\n"),
            refused(ErrorStatus::NotFound, false)
        );
        assert_eq!(
            parse(b"GET /-/healthy HTTP/1.1\r\n\r\n"),
            ok(Route::Healthy, false)
        );
        assert_eq!(
            parse(b"GET /metricsx HTTP/1.1\r\n\r\n"),
            refused(ErrorStatus::NotFound, false)
        );
        assert_eq!(
            parse(b"POST /metrics HTTP/1.1\r\n\r\n"),
            refused(ErrorStatus::MethodNotAllowed, false)
        );
        assert_eq!(parse(b"GET /metrics HTTP/1.1\r\nHost"), Request::Partial);
        assert_eq!(parse(b""), Request::Partial);
        assert_eq!(
            parse(b"\x16\x03\x01\x02\x00\x01\x00"),
            refused(ErrorStatus::BadRequest, false)
        );
        assert_eq!(
            parse(b"GET /metrics HTTP/9.9\r\n\r\n"),
            refused(ErrorStatus::BadRequest, false)
        );
    }

    #[test]
    fn absolute_form_targets_route_by_their_path() {
        for (target, route) in [
            ("http://hub-exporter:9101/metrics", Route::Metrics),
            ("HTTP://127.0.0.1:9101/metrics?name[]=x", Route::Metrics),
            ("https://[::1]:9101/-/healthy", Route::Healthy),
            ("http://host/", Route::Index),
            // An empty path is "/" (RFC 9110 §4.2.3).
            ("http://host:9101", Route::Index),
            ("http://host?x=1", Route::Index),
            ("http://user@host/metrics", Route::Metrics),
            // The host part is not a path: only what follows it routes.
            ("http://metrics/", Route::Index),
        ] {
            let req = format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
            assert_eq!(parse(req.as_bytes()), ok(route, false), "{target}");
        }
        for (target, status) in [
            ("http://host/metricsx", ErrorStatus::NotFound),
            ("http://host/metrics/x", ErrorStatus::NotFound),
            ("http://host//metrics", ErrorStatus::NotFound),
            ("ftp://host/metrics", ErrorStatus::BadRequest),
            ("http:///metrics", ErrorStatus::BadRequest),
            ("metrics", ErrorStatus::BadRequest),
            ("host:9101", ErrorStatus::BadRequest),
            ("*", ErrorStatus::BadRequest),
        ] {
            let req = format!("GET {target} HTTP/1.1\r\n\r\n");
            assert_eq!(parse(req.as_bytes()), refused(status, false), "{target}");
        }
    }

    #[test]
    fn history_0_and_only_that_leaves_the_history_out() {
        let route = |target: &str| match parse(format!("GET {target} HTTP/1.1\r\n\r\n").as_bytes())
        {
            Request::Ok { route, .. } => route,
            other => panic!("{target}: {other:?}"),
        };
        for target in [
            "/status.json?history=0",
            "/status.json?history=0#x",
            "/status.json?a=1&history=0&b",
            "/status.json?historyx=1&history=0",
            "http://host:9101/status.json?history=0",
            "http://host:9101/status.json?x=&history=0",
        ] {
            assert_eq!(
                route(target),
                Route::StatusJson { history: false },
                "{target}"
            );
        }
        for target in [
            "/status.json",
            "/status.json?",
            "/status.json?history=1",
            "/status.json?history",
            "/status.json?history=",
            "/status.json?history=00",
            "/status.json?history=0x",
            "/status.json?history=false",
            "/status.json?history=%30",
            "/status.json?History=0",
            "/status.json?xhistory=0",
            "/status.json?history=0&history=0",
            "/status.json?history=0&history=1",
            "/status.json?history=0;x=1",
            "/status.json#?history=0",
            "http://host?history=0/status.json",
        ] {
            let want = if target.starts_with("http://host?") {
                Route::Index
            } else {
                Route::StatusJson { history: true }
            };
            assert_eq!(route(target), want, "{target}");
        }
        // Other paths take no parameter; HEAD parses the same.
        assert_eq!(route("/?history=0"), Route::Index);
        assert_eq!(route("/metrics?history=0"), Route::Metrics);
        assert_eq!(
            parse(b"HEAD /status.json?history=0 HTTP/1.1\r\n\r\n"),
            ok(Route::StatusJson { history: false }, true)
        );
    }

    #[test]
    fn a_refused_head_request_is_marked_head_only() {
        assert_eq!(
            parse(b"HEAD /nope HTTP/1.1\r\n\r\n"),
            refused(ErrorStatus::NotFound, true)
        );
        assert_eq!(
            parse(b"HEAD * HTTP/1.1\r\n\r\n"),
            refused(ErrorStatus::BadRequest, true)
        );
        assert_eq!(
            parse(b"DELETE / HTTP/1.1\r\n\r\n"),
            refused(ErrorStatus::MethodNotAllowed, false)
        );
    }

    #[test]
    fn oversized_heads_are_refused() {
        let mut big = b"GET /metrics HTTP/1.1\r\nX: ".to_vec();
        big.resize(MAX_HEAD_BYTES, b'a');
        assert_eq!(parse(&big), refused(ErrorStatus::HeadTooLarge, false));
        let many: String = (0..100).map(|i| format!("H{i}: v\r\n")).collect();
        let req = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(
            parse(req.as_bytes()),
            refused(ErrorStatus::HeadTooLarge, false)
        );
    }

    #[test]
    fn error_responses_are_complete() {
        let r = String::from_utf8(error_response(ErrorStatus::MethodNotAllowed, false)).unwrap();
        assert!(r.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
        assert!(r.contains("Allow: GET, HEAD\r\n"));
        assert!(r.ends_with("\r\n\r\n405 Method Not Allowed\n"));
        let h = String::from_utf8(error_response(ErrorStatus::NotFound, true)).unwrap();
        assert!(h.ends_with("Connection: close\r\n\r\n"));
        assert!(h.contains("Content-Length: 14\r\n"));
        let o = String::from_utf8(error_response(ErrorStatus::ScrapeOverdue, false)).unwrap();
        assert!(o.starts_with("HTTP/1.1 503 Service Unavailable\r\n"));
        assert!(!o.contains("Retry-After"));
        assert!(o.ends_with("\r\n\r\n503 Service Unavailable: the scrape has overrun --timeout and is still running\n"));
    }

    #[test]
    fn ok_heads_carry_a_length_only_when_known() {
        let known = String::from_utf8(ok_head(TEXT_CONTENT_TYPE, Some(3))).unwrap();
        assert!(known.contains("\r\nContent-Length: 3\r\n"));
        let unknown = String::from_utf8(ok_head(TEXT_CONTENT_TYPE, None)).unwrap();
        assert!(!unknown.contains("Content-Length"));
        assert!(unknown.ends_with("\r\nConnection: close\r\n\r\n"));
        assert!(!unknown.contains("Content-Security-Policy"));
        let page = String::from_utf8(overview_head("text/html", Some(9))).unwrap();
        for line in [
            "Content-Type: text/html",
            "Content-Length: 9",
            "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            "X-Content-Type-Options: nosniff",
            "Cache-Control: no-store",
            "Connection: close",
        ] {
            assert!(page.contains(&format!("\r\n{line}\r\n")), "{line}: {page}");
        }
    }
}
