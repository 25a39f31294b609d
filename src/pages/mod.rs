//! One module per hub page: the page's path and a pure parser from the body's
//! bytes to a typed snapshot. Nothing here touches the network or the clock
//! (a deadline is passed in for the pages that run JavaScript).

use std::fmt;

pub mod basic_status;
pub mod my_device;
pub mod owl;
pub mod wan_conn;

/// Why a page's body could not be read, naming the field where there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub field: Option<&'static str>,
    pub msg: String,
}

impl ParseError {
    pub fn page(msg: impl Into<String>) -> Self {
        ParseError {
            field: None,
            msg: msg.into(),
        }
    }

    pub fn field(field: &'static str, msg: impl Into<String>) -> Self {
        ParseError {
            field: Some(field),
            msg: msg.into(),
        }
    }

    /// True when the page was stopped by the scrape deadline (JavaScript ran
    /// out of time) rather than found malformed.
    pub fn is_timeout(&self) -> bool {
        self.msg == crate::script::ScriptError::Timeout.to_string()
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "field {field}: {}", self.msg),
            None => f.write_str(&self.msg),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses a decimal counter or gauge the hub wrote as text. Counters are
/// 64-bit: the hub's byte counts pass 2^32 within days.
pub(crate) fn parse_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}
