//! Pages in the hub's exact syntax, generated: an N-device
//! `cgi_basicMyDevice.js` and a `wan_conn.xml` whose counters grow with a
//! tick, so rates over scrapes are non-zero.

/// Percent-encodes every byte that is not an ASCII letter or digit, as the
/// hub does.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub struct Dev {
    pub mac: String,
    pub hostname: String,
    pub ip: String,
    pub active: bool,
    /// (tx, rx) when the device has a rate row.
    pub traffic: Option<(u64, u64)>,
}

/// `n` devices; every other one active with traffic that grows with `tick`.
pub fn devices(n: usize, tick: u64) -> Vec<Dev> {
    (0..n)
        .map(|i| {
            let active = i % 2 == 0;
            Dev {
                mac: format!(
                    "02:00:00:{:02X}:{:02X}:{:02X}",
                    i >> 16 & 0xff,
                    i >> 8 & 0xff,
                    i & 0xff
                ),
                hostname: format!("device-{i}"),
                ip: format!("192.168.{}.{}", 1 + i / 250, 2 + i % 250),
                active,
                traffic: active.then(|| {
                    let base = 1_000_000 * (i as u64 + 1);
                    (
                        base + tick * 1_000 * (i as u64 + 1),
                        10 * base + tick * 50_000 * (i as u64 + 1),
                    )
                }),
            }
        })
        .collect()
}

pub fn device_page(devs: &[Dev]) -> String {
    let mut out = String::from("var known_device_list=[");
    for d in devs {
        out.push_str(&format!(
            "{{mac:'{}',hostname:'{}',ip:'{}',ipv6:'',name:'{}',activity:'{}',os:'Unknown',device:'Unknown',time_first_seen:'2024%2F03%2F01%2009%3A15%3A02',time_last_active:'2024%2F06%2F11%2021%3A40%3A37',dhcp_option:'NA',port:'NA',ipv6_ll:'fe80%3A%3A1',activity_ip:'{}',activity_ipv6_ll:'0',activity_ipv6:'0',device_oui:'NA',device_serial:'NA',device_class:'NA',reconnected:'0'}},\n",
            enc(&d.mac),
            enc(&d.hostname),
            enc(&d.ip),
            enc(&format!("unknown_{}", d.mac)),
            d.active as u8,
            d.active as u8,
        ));
    }
    out.push_str("null];\nvar rate = [");
    for d in devs {
        if let Some((tx, rx)) = d.traffic {
            out.push_str(&format!(
                "{{timestamp:'0',app:'4294967295',mac:'{}',tx:'{tx}',rx:'{rx}'}},\n",
                enc(&d.mac.to_ascii_lowercase())
            ));
        }
    }
    out.push_str("null];\naddCfg(\"dhcpreserve1\",68681729,'');\n\nvar dhcp_log=[null];\n//NAT Info\nvar MAX_NAT_RULES = 160;\n");
    for i in 1..=160 {
        out.push_str(&format!("addCfg(\"i_Mac{i}\",{},'');\n", 35323904 + i));
    }
    for i in 1..=160 {
        out.push_str(&format!("addCfg(\"i_Ip{i}\",{},'');\n", 35258368 + i));
    }
    for i in 1..=160 {
        out.push_str(&format!("addCfg(\"desc{i}\",{},'');\n", 35192832 + i));
    }
    out.push_str("var acl_device_list=[null];\nvar dhcpv6_log=[null];\naddCfg(\"allWirelessEnable2G\",151519233,'1');\naddCfg(\"allWirelessEnable5G\",151519234,'1');\nvar wan_suuport_eth = '1'\n");
    out
}

/// A wan_conn.xml for an FTTP hub (row 0 active) whose byte counters and
/// uptime grow with `tick`.
pub fn wan_page(tick: u64) -> String {
    let down = 336_463_954_090 + tick * 2_500_000;
    let up = 34_683_717_318 + tick * 400_000;
    let uptime = 1_284_142 + tick;
    format!(
        "<status>\n\t<!-- REAL -->\n\
\t\t<wan_conn_status_list type=\"array\" value=\"[['connected%3B72%3Bpass'],\n['disconnected%3B0%3Bpass'],\n['disconnected%3B0%3Bpass'],\nnull]\" />\n\
\t\t<wan_conn_volume_list type=\"array\" value=\"[['{}%3B{down}%3B{up}'],\n['0%3B0%3B0'],\n['0%3B0%3B0'],\nnull]\" />\n\
\t\t<wan_linestatus_rate_list type=\"array\" value=\"[['DOWN','ADSL','G%2EDMT','0','0','0','0','0','0','0','0','0','0','0','0','fast'],\nnull]\" />\n\
\t\t<curlinkstatus type=\"array\" value=\"[['connected%3B51'],\n['disconnected%3B0'],\n['disconnected%3B0'],\nnull]\" />\n\
\t\t<sysuptime value=\"{uptime}\" />\n\
\t\t<status_rate type=\"array\" value=\"[['1000000000%3B1000000000%3B0%3B0'],\n['0%3B0%3B0%3B0'],\n['0%3B0%3B0%3B0'],\nnull]\" />\n\
\t\t<wan_active_idx value=\"0\" />\n\
\t\t<link_status value=\"disconnected%3Badsl%3B0\" />\n\
\t<!-- END_REAL -->\n</status>\n",
        down + up
    )
}
