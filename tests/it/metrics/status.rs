//! The `status` collector end to end: `smarthub_hub_info`.

use super::{all, labels, vdsl2_hub};
use crate::support::exporter::Exporter;

#[test]
fn status_page_gives_the_hub_info() {
    let hub = vdsl2_hub();
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    assert_eq!(
        all(&m, "smarthub_hub_info"),
        [(
            labels(&[
                ("firmware_version", "v0.21.03.07094-BT"),
                ("serial_number", "+091298+2107654321"),
                ("lan_ip", "192.168.1.254"),
            ]),
            1.0
        )]
    );
}
