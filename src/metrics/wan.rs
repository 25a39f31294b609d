//! Metrics from `/nonAuth/wan_conn.xml`.

use crate::collector::Snapshot;
use crate::exposition::{Exposition, MetricType, Value};
use crate::overview::Report;
use crate::pages::bytes_per_second;
use crate::pages::wan::{self, DslStats, Wan, DIRECTIONS};

impl Snapshot for Wan {
    fn render(&self, out: &mut Exposition) {
        render(self, out)
    }

    fn report(self: Box<Self>, out: &mut Report) {
        out.wan = Some(*self);
    }
}

pub fn render(w: &Wan, out: &mut Exposition) {
    out.family(
        "smarthub_connected",
        MetricType::Gauge,
        "Whether the hub's active WAN connection is up (1) or not (0).",
    )
    .sample(&[], w.connected);
    out.family(
        "smarthub_uptime",
        MetricType::Gauge,
        "Seconds since the hub booted.",
    )
    .sample(&[], w.sysuptime);
    let mut f = out.family(
        "smarthub_connection_uptime",
        MetricType::Gauge,
        "Seconds the active WAN connection has been up; 0 while it is down.",
    );
    if let Some(v) = w.connection_uptime {
        f.sample(&[], v);
    }
    // The Go exporter's byte counters keep their names, without `_total`.
    if let Some(v) = w.volume {
        out.family(
            "smarthub_downloaded_bytes",
            MetricType::Counter,
            "Bytes received over the active WAN connection, as counted by the hub.",
        )
        .sample(&[], v.down_bytes);
        out.family(
            "smarthub_uploaded_bytes",
            MetricType::Counter,
            "Bytes sent over the active WAN connection, as counted by the hub.",
        )
        .sample(&[], v.up_bytes);
    }
    if let Some(r) = w.rate {
        out.family(
            "smarthub_upload_rate",
            MetricType::Gauge,
            "Upstream rate of the active WAN link in bits per second (DSL sync rate, or the Ethernet link speed on FTTP).",
        )
        .sample(&[], r.up_bps);
        out.family(
            "smarthub_download_rate",
            MetricType::Gauge,
            "Downstream rate of the active WAN link in bits per second (DSL sync rate, or the Ethernet link speed on FTTP).",
        )
        .sample(&[], r.down_bps);
    }
    render_line(w, out);
}

/// The metrics added to the Go exporter's: the active interface, its physical link
/// and addresses, the DSL line, and the Wi-Fi channels.
fn render_line(w: &Wan, out: &mut Exposition) {
    let idx = w.active_idx.to_string();
    let a = &w.addresses;
    let ipv4 = a.ipv4.map(|ip| ip.to_string()).unwrap_or_default();
    let gateway = a.ipv4_gateway.map(|ip| ip.to_string()).unwrap_or_default();
    let dns = a
        .dns
        .iter()
        .map(|ip| ip.to_string())
        .collect::<Vec<_>>()
        .join(",");
    out.family(
        "smarthub_wan_info",
        MetricType::Gauge,
        "The active WAN interface: its row index and kind (ethernet, vdsl, adsl) and the addresses it holds (empty when unset); always 1.",
    )
    .sample(
        &[
            ("index", &idx),
            ("kind", wan::wan_kind(w.active_idx)),
            ("ipv4", &ipv4),
            ("ipv4_gateway", &gateway),
            ("dns", &dns),
            ("ipv6", a.ipv6.as_deref().unwrap_or("")),
            ("ipv6_link_local", a.ipv6_link_local.as_deref().unwrap_or("")),
        ],
        1u64,
    );
    if let Some(link) = w.link {
        out.family(
            "smarthub_wan_link_up",
            MetricType::Gauge,
            "Whether the active WAN interface's physical link (DSL sync or Ethernet carrier) is up (1) or not (0), whatever the IP session's state.",
        )
        .sample(&[], link.up);
        let mut f = out.family(
            "smarthub_wan_link_uptime_seconds",
            MetricType::Gauge,
            "Seconds the active WAN interface's physical link has been up; 0 while it is down.",
        );
        if let Some(v) = link.uptime {
            f.sample(&[], v);
        }
    }
    if let Some(dsl) = &w.dsl {
        out.family(
            "smarthub_dsl_up",
            MetricType::Gauge,
            "Whether the DSL line is trained (1) or not (0); 0 on FTTP hubs, whose DSL port is unused.",
        )
        .sample(&[], dsl.up);
        if let Some(stats) = &dsl.stats {
            render_dsl(stats, out);
        }
    }
    let mut f = out.family(
        "smarthub_wifi_channel",
        MetricType::Gauge,
        "The Wi-Fi channel the hub's radio uses, per band.",
    );
    for (band, ch) in ["2.4GHz", "5GHz"].into_iter().zip(w.wifi_channels) {
        if let Some(ch) = ch {
            f.sample(&[("band", band)], u64::from(ch));
        }
    }
}

fn render_dsl(s: &DslStats, out: &mut Exposition) {
    out.family(
        "smarthub_dsl_info",
        MetricType::Gauge,
        "The trained DSL line: mode (ADSL, VDSL2, GFAST), profile or modulation, and channel type (fast or interleaved); always 1.",
    )
    .sample(
        &[
            ("mode", &s.mode),
            ("profile", &s.profile),
            ("channel", &s.channel),
        ],
        1u64,
    );
    // Bytes, not bits, per second: Prometheus' base unit (promtool flags
    // `_bits`). Multiply by 8 for the Mbit/s an ISP quotes.
    per_direction(
        out,
        "smarthub_dsl_sync_rate_bytes_per_second",
        "The DSL line's sync rate per direction, in bytes per second (x8 for bits).",
        s.sync_bps.map(|v| v.map(bytes_per_second)),
    );
    per_direction(
        out,
        "smarthub_dsl_attainable_rate_bytes_per_second",
        "The highest rate the DSL line could sync at per direction, as the modem estimates it, in bytes per second (x8 for bits).",
        s.attainable_bps.map(|v| v.map(bytes_per_second)),
    );
    per_direction(
        out,
        "smarthub_dsl_snr_margin_db",
        "The DSL line's signal-to-noise ratio margin per direction, in dB.",
        tenths(s.snr_margin_tenth_db),
    );
    per_direction(
        out,
        "smarthub_dsl_line_attenuation_db",
        "The DSL line's attenuation per direction, in dB.",
        tenths(s.line_attenuation_tenth_db),
    );
    per_direction(
        out,
        "smarthub_dsl_signal_attenuation_db",
        "The DSL signal's attenuation per direction, in dB.",
        tenths(s.signal_attenuation_tenth_db),
    );
    per_direction(
        out,
        "smarthub_dsl_output_power_dbm",
        "The DSL transmitter's output power per direction (down: the exchange's, up: the hub's), in dBm.",
        tenths(s.output_power_tenth_dbm),
    );
}

fn tenths(v: [Option<i32>; 2]) -> [Option<f64>; 2] {
    v.map(|v| v.map(|t| f64::from(t) / 10.0))
}

fn per_direction<V: Into<Value>>(
    out: &mut Exposition,
    name: &'static str,
    help: &'static str,
    values: [Option<V>; 2],
) {
    let mut f = out.family(name, MetricType::Gauge, help);
    for (dir, v) in DIRECTIONS.into_iter().zip(values) {
        if let Some(v) = v {
            f.sample(&[("direction", dir)], v);
        }
    }
}
