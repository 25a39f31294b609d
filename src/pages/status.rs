//! `/cgi/cgi_basicStatus.js`: the data behind the hub's status page.
//!
//! The page repeats most of wan_conn.xml (the line, link and session lists,
//! `sysuptime`); what it adds is the firmware version, the serial number and
//! the hub's LAN address. Only those are read, as literals: the page is data
//! and is never run (see [`script::read_data`]). The page also sets the
//! BT Wi-Fi hotspot flags with `parseInt(..) && parseInt(..)` expressions,
//! which only a JavaScript engine could evaluate, so they are not read.
//! Field meanings and how we know them: `docs/hub-pages.md`.

use std::net::Ipv4Addr;

use super::ParseError;
use super::{label, label_text};
use crate::format::percent;
use crate::script::{self, Lit, Var};

pub const PATH: &str = "/cgi/cgi_basicStatus.js";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    /// `fw_ver`, e.g. `v0.21.03.07094-BT`.
    pub firmware: String,
    /// `serial_no`; empty when the page has none.
    pub serial: String,
    /// `lan_service_ip`, the hub's own address on the LAN.
    pub lan_ip: Option<Ipv4Addr>,
    /// What the reader cut to read the page, for the log.
    pub notes: Vec<String>,
}

pub const VARS: [Var; 3] = [
    Var::all("fw_ver"),
    Var::all("serial_no"),
    Var::all("lan_service_ip"),
];

pub fn parse(body: &[u8]) -> Result<Status, ParseError> {
    let read = script::read_data(body, &VARS).map_err(|e| ParseError::page(e.to_string()))?;
    let mut status = from_vars(&read.values)?;
    status.notes = read.notes;
    Ok(status)
}

/// Builds the snapshot from the values of [`VARS`], in that order.
pub fn from_vars(vars: &[Option<Lit>]) -> Result<Status, ParseError> {
    let get = |i: usize, name: &'static str| -> Result<Option<String>, ParseError> {
        match vars.get(i).and_then(Option::as_ref) {
            None | Some(Lit::Null) => Ok(None),
            // The hub writes the string `NULL` for an unset value.
            Some(Lit::Str(s)) => {
                Ok(Some(label(percent::decode(s).trim())).filter(|v| !v.is_empty() && v != "NULL"))
            }
            // Cut by the reader: its label is still the whole's when enough
            // of it is left to tell.
            Some(cut @ Lit::Cut(_)) => {
                let record = [(name.to_owned(), cut.clone())];
                Ok(label_text(&record, name, true))
            }
            Some(_) => Err(ParseError::field(name, "is not a string")),
        }
    };
    // The firmware version is the reason to fetch this page: a body without
    // it is some other page.
    let firmware =
        get(0, "fw_ver")?.ok_or_else(|| ParseError::field("fw_ver", "not defined by the page"))?;
    let serial = get(1, "serial_no")?.unwrap_or_default();
    let lan_ip = get(2, "lan_service_ip")?.and_then(|s| s.parse().ok());
    Ok(Status {
        firmware,
        serial,
        lan_ip,
        notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Option<Lit> {
        Some(Lit::Str(v.into()))
    }

    #[test]
    fn reads_decoded_fields() {
        let b = from_vars(&[
            s("v0%2E21%2E03%2E07094%2DBT%20"),
            s("%2B091298%2B1234567890"),
            s("192%2E168%2E1%2E254"),
        ])
        .unwrap();
        assert_eq!(b.firmware, "v0.21.03.07094-BT");
        assert_eq!(b.serial, "+091298+1234567890");
        assert_eq!(b.lan_ip, Some(Ipv4Addr::new(192, 168, 1, 254)));
    }

    #[test]
    fn optional_fields_and_errors() {
        let b = from_vars(&[s("v1"), None, s("URL_encoded_string")]).unwrap();
        assert_eq!((b.serial.as_str(), b.lan_ip), ("", None));
        let b = from_vars(&[s("v1"), s("NULL"), Some(Lit::Null)]).unwrap();
        assert_eq!((b.serial.as_str(), b.lan_ip), ("", None));
        let e = from_vars(&[s("NULL"), s("x"), None])
            .unwrap_err()
            .to_string();
        assert!(e.contains("fw_ver"), "{e}");
        let e = from_vars(&[None, s("x"), None]).unwrap_err().to_string();
        assert_eq!(e, "field fw_ver: not defined by the page");
        let e = from_vars(&[s("v1"), Some(Lit::Num(3.0)), None])
            .unwrap_err()
            .to_string();
        assert_eq!(e, "field serial_no: is not a string");
    }
}
