//! `cgi_basicStatus.js` (the `status` collector): firmware, serial, LAN
//! address.

use smarthub_exporter::pages::{self, status};
use smarthub_exporter::script;

use super::ip4;
use crate::support::fixture;

fn status(page: &[u8]) -> status::Status {
    status::parse(page).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn status_own_pages() {
    let s = status(&fixture("hub/status.js"));
    assert_eq!(
        (s.firmware.as_str(), s.serial.as_str(), s.lan_ip),
        (
            "v0.21.03.07094-BT",
            "+091298+2107654321",
            ip4("192.168.1.254")
        )
    );
    let sparse = status(&fixture("hub/status_sparse.js"));
    assert_eq!(
        (
            sparse.firmware.as_str(),
            sparse.serial.as_str(),
            sparse.lan_ip
        ),
        ("v0.17.01.12312-BT", "", None),
        "NULL serial, no LAN address"
    );
    for (page, want) in [
        (fixture("hub/login.htm"), "HTML"),
        (b"var serial_no = \"x\";".to_vec(), "field fw_ver"),
        (fixture("hub/lan.js"), "field fw_ver"),
    ] {
        let err = status::parse(&page).unwrap_err().to_string();
        assert!(err.contains(want), "{err:?} should mention {want:?}");
    }
}

#[test]
fn a_long_status_value_is_noted_and_cut_to_a_label() {
    let long = "v".repeat(script::limits::MAX_STRING_BYTES + 1);
    let s = status(format!("var fw_ver='{long}';\nvar serial_no='S';\n").as_bytes());
    assert_eq!(s.firmware, "v".repeat(pages::MAX_LABEL_BYTES));
    assert_eq!(s.notes, ["fw_ver: a string longer than 4096 bytes was cut"]);
}
