//! The exporter's HTTP surface as pure functions: parse a request head,
//! route it, and write response heads. The event loop in [`crate::server`]
//! owns the sockets.

/// Request heads longer than this are answered 431.
pub const MAX_HEAD_BYTES: usize = 8 << 10;
const MAX_HEADERS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Metrics,
    Index,
    Healthy,
}

/// What to do with the bytes received so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// The head is not complete yet.
    Partial,
    /// A request to answer; `head_only` for HEAD.
    Ok { route: Route, head_only: bool },
    /// A request to refuse with this status.
    Refuse(Status),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    BadRequest,
    NotFound,
    MethodNotAllowed,
    HeadTooLarge,
    Unavailable,
}

impl Status {
    fn line(self) -> &'static str {
        match self {
            Status::BadRequest => "400 Bad Request",
            Status::NotFound => "404 Not Found",
            Status::MethodNotAllowed => "405 Method Not Allowed",
            Status::HeadTooLarge => "431 Request Header Fields Too Large",
            Status::Unavailable => "503 Service Unavailable",
        }
    }
}

pub fn parse(buf: &[u8]) -> Request {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD_BYTES => {
            return Request::Refuse(Status::HeadTooLarge)
        }
        Ok(httparse::Status::Partial) => return Request::Partial,
        Err(httparse::Error::TooManyHeaders) => return Request::Refuse(Status::HeadTooLarge),
        Err(_) => return Request::Refuse(Status::BadRequest),
    }
    let (Some(method), Some(target)) = (req.method, req.path) else {
        return Request::Refuse(Status::BadRequest);
    };
    // Only the path routes; a query string (a browser's cache buster) is ignored.
    let path = target.split(['?', '#']).next().unwrap_or(target);
    let route = match path {
        "/metrics" => Route::Metrics,
        "/" => Route::Index,
        "/-/healthy" => Route::Healthy,
        _ => return Request::Refuse(Status::NotFound),
    };
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return Request::Refuse(Status::MethodNotAllowed),
    };
    Request::Ok { route, head_only }
}

pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
pub const HTML_CONTENT_TYPE: &str = "text/html; charset=utf-8";
pub const TEXT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

pub const INDEX_HTML: &str = concat!(
    "<!DOCTYPE html>\n<html><head><title>BT Smart Hub exporter</title></head>\n<body>\n",
    "<h1>BT Smart Hub exporter</h1>\n<p>Version ",
    env!("CARGO_PKG_VERSION"),
    "</p>\n<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n"
);

/// A response head for a 200. Every response closes the connection: one
/// request per connection keeps the single-threaded server's state small.
pub fn ok_head(content_type: &str, body_len: usize) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {body_len}\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

/// A whole error response, with a one-line text body.
pub fn error_response(status: Status, head_only: bool) -> Vec<u8> {
    let body = format!("{}\n", status.line());
    let extra = match status {
        Status::MethodNotAllowed => "Allow: GET, HEAD\r\n",
        Status::Unavailable => "Retry-After: 1\r\n",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_requests() {
        let ok = |route, head_only| Request::Ok { route, head_only };
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
            parse(b"GET /-/healthy HTTP/1.1\r\n\r\n"),
            ok(Route::Healthy, false)
        );
        assert_eq!(
            parse(b"GET /metricsx HTTP/1.1\r\n\r\n"),
            Request::Refuse(Status::NotFound)
        );
        assert_eq!(
            parse(b"POST /metrics HTTP/1.1\r\n\r\n"),
            Request::Refuse(Status::MethodNotAllowed)
        );
        assert_eq!(parse(b"GET /metrics HTTP/1.1\r\nHost"), Request::Partial);
        assert_eq!(parse(b""), Request::Partial);
        assert_eq!(
            parse(b"\x16\x03\x01\x02\x00\x01\x00"),
            Request::Refuse(Status::BadRequest)
        );
        assert_eq!(
            parse(b"GET /metrics HTTP/9.9\r\n\r\n"),
            Request::Refuse(Status::BadRequest)
        );
    }

    #[test]
    fn oversized_heads_are_refused() {
        let mut big = b"GET /metrics HTTP/1.1\r\nX: ".to_vec();
        big.resize(MAX_HEAD_BYTES, b'a');
        assert_eq!(parse(&big), Request::Refuse(Status::HeadTooLarge));
        let many: String = (0..100).map(|i| format!("H{i}: v\r\n")).collect();
        let req = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(parse(req.as_bytes()), Request::Refuse(Status::HeadTooLarge));
    }

    #[test]
    fn error_responses_are_complete() {
        let r = String::from_utf8(error_response(Status::MethodNotAllowed, false)).unwrap();
        assert!(r.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
        assert!(r.contains("Allow: GET, HEAD\r\n"));
        assert!(r.ends_with("\r\n\r\n405 Method Not Allowed\n"));
        let h = String::from_utf8(error_response(Status::NotFound, true)).unwrap();
        assert!(h.ends_with("Connection: close\r\n\r\n"));
        assert!(h.contains("Content-Length: 14\r\n"));
    }
}
