//! Metrics from `/nonAuth/wan_conn.xml`.

use crate::exposition::{Exposition, Kind};
use crate::pages::wan_conn::WanConn;

pub fn render(w: &WanConn, out: &mut Exposition) {
    out.family(
        "smarthub_connected",
        Kind::Gauge,
        "Whether the hub's active WAN connection is up (1) or not (0).",
    )
    .sample(&[], w.connected);
    out.family(
        "smarthub_uptime",
        Kind::Gauge,
        "Seconds since the hub booted.",
    )
    .sample(&[], w.sysuptime);
    let mut f = out.family(
        "smarthub_connection_uptime",
        Kind::Gauge,
        "Seconds the active WAN connection has been up; 0 while it is down.",
    );
    if let Some(v) = w.connection_uptime {
        f.sample(&[], v);
    }
    // The seed's byte counters keep their names, without `_total`.
    if let Some(v) = w.volume {
        out.family(
            "smarthub_downloaded_bytes",
            Kind::Counter,
            "Bytes received over the active WAN connection, as counted by the hub.",
        )
        .sample(&[], v.down_bytes);
        out.family(
            "smarthub_uploaded_bytes",
            Kind::Counter,
            "Bytes sent over the active WAN connection, as counted by the hub.",
        )
        .sample(&[], v.up_bytes);
    }
    if let Some(r) = w.rate {
        out.family(
            "smarthub_upload_rate",
            Kind::Gauge,
            "Upstream rate of the active WAN link in bits per second (DSL sync rate, or the Ethernet link speed on FTTP).",
        )
        .sample(&[], r.up_bps);
        out.family(
            "smarthub_download_rate",
            Kind::Gauge,
            "Downstream rate of the active WAN link in bits per second (DSL sync rate, or the Ethernet link speed on FTTP).",
        )
        .sample(&[], r.down_bps);
    }
}
