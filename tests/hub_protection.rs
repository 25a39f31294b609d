//! The hub's web server is feeble: the exporter must never have more than
//! one request open to it, must share one set of hub requests between
//! scrapes that come together (an HA pair of Prometheus servers, a refresh-
//! happy browser, many clients at once), and must not retry in a loop when
//! the hub fails. The fake hub counts what reaches it.

mod support;

use support::exporter::Exporter;
use support::fake_hub::{FakeHub, Reply};
use support::fixture;

const WAN: &str = "/nonAuth/wan_conn.xml";
const LAN: &str = "/cgi/cgi_basicMyDevice.js";

#[test]
fn a_timed_out_request_is_over_before_the_next_one_starts() {
    // minreq runs the connect and the response head in a helper thread and
    // stops waiting for it at the deadline; the helper lives on for a moment,
    // holding its connection. The next request must not start before it has
    // gone (this failed, with two connections open, before hub.rs waited).
    let hub = FakeHub::start();
    hub.set(WAN, Reply::Hang);
    hub.set(LAN, Reply::ok(fixture("hub/my_device_2dev.js")));
    let exp = Exporter::start(&hub.host(), &["--timeout", "1", "--cache-ttl", "0"]);
    for _ in 0..4 {
        let m = exp.scrape();
        assert_eq!(m.collector_success("wan"), Some(0.0));
    }
    assert_eq!(hub.count(WAN), 4);
    assert_eq!(
        hub.max_concurrent(),
        1,
        "two requests were open to the hub at once"
    );
    assert_eq!(exp.threads(), 1, "a helper thread outlived its scrape");
}
