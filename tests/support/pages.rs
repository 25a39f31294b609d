//! Pages in the hub's exact syntax, generated: an N-device
//! `cgi_basicMyDevice.js` and a `wan_conn.xml` whose counters grow with a
//! tick, so rates over scrapes are non-zero; and the hub's percent-encoding.
//! Needs nothing but `std`, so the fuzz crate can include it.

/// Percent-encodes every byte that is not an ASCII letter or digit, as the
/// hub does: the one encoder of the tests, the benchmarks and the fuzz
/// targets (which include this file). Also a valid URL query component.
pub fn enc(text: impl AsRef<[u8]>) -> String {
    use std::fmt::Write as _;
    let bytes = text.as_ref();
    let mut out = String::with_capacity(bytes.len() * 3);
    for &b in bytes {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
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
            enc(format!("unknown_{}", d.mac)),
            d.active as u8,
            d.active as u8,
        ));
    }
    out.push_str("null];\nvar rate = [");
    for d in devs {
        if let Some((tx, rx)) = d.traffic {
            out.push_str(&format!(
                "{{timestamp:'0',app:'4294967295',mac:'{}',tx:'{tx}',rx:'{rx}'}},\n",
                enc(d.mac.to_ascii_lowercase())
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

/// The mesh nodes of [`owl_page`]: the hub, a disc on a 5 GHz backhaul and
/// a wired disc, as (device_id, name).
pub const OWL_NODES: [(&str, &str); 3] = [
    ("A0:1B:29:00:00:02", "Smart Hub 2"),
    ("C4:E9:0A:00:00:02", "Kitchen"),
    ("C4:E9:0A:00:01:02", "Garage"),
];

/// How [`owl_page`] attaches device `i`: (node index, connect_type).
pub fn owl_placement(i: usize) -> (usize, &'static str) {
    (i % 3, ["5G", "2.4G", "Ether"][i / 3 % 3])
}

/// A cgi_owl.js with the three [`OWL_NODES`] and one station per device
/// (online when the device is active), every field filled as the hub does.
pub fn owl_page(devs: &[Dev]) -> String {
    let mut out = String::from("var owl_tplg=[");
    for (n, (id, name)) in OWL_NODES.iter().enumerate() {
        let (parent, connect, rssi, linkrate, cpu, mem) = match n {
            0 => (
                "NULL".to_owned(),
                "Ether",
                "0",
                "0Mbps",
                ("0", "0", "0"),
                ("0", "0", "0"),
            ),
            1 => (
                enc(OWL_NODES[0].0),
                "5G",
                "%2D61",
                "866Mbps",
                ("3", "5", "92"),
                ("122136", "60000", "62136"),
            ),
            _ => (
                enc(OWL_NODES[1].0),
                "Ether",
                "0",
                "0Mbps",
                ("1", "1", "98"),
                ("122136", "70000", "52136"),
            ),
        };
        let on_node = (0..devs.len()).filter(|&i| owl_placement(i).0 == n).count();
        out.push_str(&format!(
            "{{ordering:'{}',hw_ver:'01',sw_ver:'v0%2E21%2E03%2E07094%2DBT%20',fw_ver:'v0%2E21%2E03%2E07094%2DBT%20',sn:'%2B091298%2B210765432{n}',device_mac:'{}',device_name:'{}',device_id:'{}',device_ip:'192%2E168%2E1%2E{}',device_netmask:'255%2E255%2E255%2E0',eth_mac:'{}',bssid_2g:'{}',essid_2g:'BT%2DABC123',bssid_5g:'{}',essid_5g:'BT%2DABC123',parent_id:'{parent}',child_id:'NULL',child_num:'0',sta_num:'{on_node}',connect_type:'{connect}',connect_rssi:'{rssi}',model_name:'{}',product_id:'55661',node_lvid:'{}',uptime:'{}',connected_role:'configured%5F{}',connected_rootap:'{}',linkrate:'{linkrate}',node_num:'3',node_num_max:'6',linkmode:'0',sta_num_max:'64',cpuU:'{}',cpuS:'{}',cpuI:'{}',memT:'{}',memF:'{}',memU:'{}',proc_n:'118',hub_status:'connected',fud:'1700000000',type:'{}',lsd:'1718000000'}},\n",
            n + 1,
            enc(id),
            enc(name),
            enc(id),
            [254, 201, 202][n],
            enc(id),
            enc(id),
            enc(id),
            if n == 0 { "SmartHub2" } else { "WE410443%2D6DX" },
            1 + 16 * n,
            864000 - 100 * n,
            if n == 0 { "master" } else { "slave" },
            (n == 0) as u8,
            cpu.0, cpu.1, cpu.2, mem.0, mem.1, mem.2,
            (n > 0) as u8,
        ));
    }
    out.push_str("null];\nvar owl_station=[\n");
    for (i, d) in devs.iter().enumerate() {
        let (node, connect) = owl_placement(i);
        let wifi = connect != "Ether";
        let (rate, signal) = if wifi {
            (
                if connect == "5G" {
                    "866Mbps"
                } else {
                    "144Mbps"
                },
                format!("%2D{}", 40 + i % 50),
            )
        } else {
            ("0Mbps", "0".to_owned())
        };
        out.push_str(&format!(
            "{{station_mac:'{}',station_name:'{}',alias_name:'NULL',station_ip:'{}',parent_id:'{}',connect_type:'{}',link_rate:'{rate}',link_rate_max:'0Mbps',mode:'{}',signal_strength:'{signal}',signal_strength_max:'0',signal_strength_min:'%2D127',pid:'NULL',online:'{}',last_connect:'1718000000',ipv6_ip:'%3A%3A',note:'0',as:'0',ldur:'0',lddr:'0',rt:'0',bs:'{}',br:'{}',txc:'0',rxc:'0',es:'0',rtc:'0',frc:'0',rc:'0',mrc:'0',it:'0'}},\n",
            enc(&d.mac),
            enc(&d.hostname),
            enc(&d.ip),
            enc(OWL_NODES[node].0),
            enc(connect),
            if wifi { 8 } else { 0 },
            d.active as u8,
            // The hub's counters stop at 2^31-1.
            d.traffic.map_or(0, |t| t.0.min(2147483647)),
            d.traffic.map_or(0, |t| t.1.min(2147483647)),
        ));
    }
    out.push_str("null];\n\naddCfg(\"set_device_name\",356225397,'');\n");
    out
}

/// A cgi_basicStatus.js of a VDSL2 hub, every field filled.
pub fn status_page() -> String {
    "var serial_no = \"%2B091298%2B2107654321\";\n\
var fw_ver = \"v0%2E21%2E03%2E07094%2DBT\";\n\
var fw_update_time = '2024%2F03%2F01%2003%3A12%3A44';\n\
var ip4_info_list = [['86%2E1%2E2%2E3%3B255%2E255%2E255%2E255%3B172%2E16%2E10%2E1%3B81%2E139%2E57%2E100%3B81%2E139%2E56%2E100'],\nnull];\n\
var wan_link_status_list = [['disconnected%3B0'],\n['connected%3B462385'],\n['disconnected%3B0'],\nnull];\n\
var wan_conn_status_list = [['disconnected%3B0%3Bpass'],\n['connected%3B462390%3Bpass'],\n['disconnected%3B0%3Bpass'],\nnull];\n\
var wan_link_rate_list = [['0%3B0%3B0%3B0'],\n['18567000%3B65059000%3B0%3B0'],\n['0%3B0%3B0%3B0'],\nnull];\n\
var wan_linestatus_rate_list = [['UP', 'VDSL2', 'Profile%2017a', '31', '58', '186', '83', '202', '83', '130', '74', '65059', '18567', '65682000', '18564000', 'fast'],\nnull];\n\
var link_status = 'connected%3Bvdsl%3B462385';\n\
var linestatus = [{\n    state: 'UP',\n    mode: 'VDSL2',\n    mod_type: 'Profile%2017a',\n    snr_margin_down: '31',\n    snr_margin_up: '58',\n    latn_down: '186',\n    latn_up: '83',\n    satn_down: '202',\n    satn_up: '83',\n    output_power_down: '130',\n    output_power_up: '74',\n    rate_down: '65059',\n    rate_up: '18567',\n    attainable_rate_down: '65682000',\n    attainable_rate_up: '18564000',\n    chantype: 'fast'\n},\nnull];\n\
//bt wifi\n\
var openwifi_suppressed = parseInt(\"0\") && parseInt(\"1\");\n\
var openwifi_enable = parseInt(\"1\") || parseInt(\"1\");\n\
var sysuptime = '973412';\n\
//lan ip\n\
var lan_service_ip = \"192%2E168%2E1%2E254\";\n"
        .to_owned()
}

/// A wan_conn.xml for a VDSL2 hub (row 1 active, line up) whose byte
/// counters, uptime and sync rates move with `tick`.
pub fn wan_page_vdsl(tick: u64) -> String {
    let down = 67_192_513_981 + tick * 2_500_000;
    let up = 14_457_964_544 + tick * 400_000;
    let uptime = 973_412 + tick;
    let sync_down = 65_059 - tick % 7;
    format!(
        "<status>\n\t<!-- REAL -->\n\
\t\t<wan_conn_status_list type=\"array\" value=\"[['disconnected%3B0%3Bpass'],\n['connected%3B462390%3Bpass'],\n['disconnected%3B0%3Bpass'],\nnull]\" />\n\
\t\t<wan_conn_volume_list type=\"array\" value=\"[['0%3B0%3B0'],\n['{}%3B{down}%3B{up}'],\n['0%3B0%3B0'],\nnull]\" />\n\
\t\t<wan_linestatus_rate_list type=\"array\" value=\"[['UP','VDSL2','Profile%2017a','31','58','186','83','202','83','130','74','{sync_down}','18567','65682000','18564000','fast'],\nnull]\" />\n\
\t\t<wlan_channel_list type=\"array\" value=\"[['6','0','6'],\n['6','0','6'],\n['6','0','6'],\n['6','0','6'],\n['6','0','6'],\n['44','0','44'],\n['44','0','44'],\n['44','0','44'],\n['44','0','44'],\n['44','0','44'],\nnull]\" />\n\
\t\t<curlinkstatus type=\"array\" value=\"[['disconnected%3B0'],\n['connected%3B462385'],\n['disconnected%3B0'],\nnull]\" />\n\
\t\t<sysuptime value=\"{uptime}\" />\n\
\t\t<status_rate type=\"array\" value=\"[['0%3B0%3B0%3B0'],\n['18567000%3B{}%3B0%3B0'],\n['0%3B0%3B0%3B0'],\nnull]\" />\n\
\t\t<wan_active_idx value=\"1\" />\n\
\t\t<link_status value=\"connected%3Bvdsl%3B462385\" />\n\
\t\t<ip4_info_list type=\"array\" value=\"[['0%2E0%2E0%2E0%3B0%2E0%2E0%2E0%3B0%2E0%2E0%2E0%3B0%2E0%2E0%2E0%3B0%2E0%2E0%2E0'],\n['86%2E1%2E2%2E3%3B255%2E255%2E255%2E255%3B172%2E16%2E10%2E1%3B81%2E139%2E57%2E100%3B81%2E139%2E56%2E100'],\n['0%2E0%2E0%2E0%3B0%2E0%2E0%2E0%3B0%2E0%2E0%2E0%3B0%2E0%2E0%2E0%3B0%2E0%2E0%2E0'],\nnull]\" />\n\
\t\t<ip6_lla_list type=\"array\" value=\"[['%3A%3A%2F0'],\n['fe80%3A%3A1a2b%3A3c4d%3A5e6f%3A7081%2F10'],\n['%3A%3A%2F0'],\nnull]\" />\n\
\t\t<ip6_gua_list type=\"array\" value=\"[['%3A%3A%2F0%3B%3A%3A'],\n['2a00%3A23c5%3A1234%3A5600%3A%3A1%2F64%3Bfe80%3A%3A9a0b%3Acdff%3Afe12%3A3456'],\n['%3A%3A%2F0%3B%3A%3A'],\nnull]\" />\n\
\t\t<ip6_rdns_list type=\"array\" value=\"[[null],[null],[null]]\" />\n\
\t<!-- END_REAL -->\n</status>\n",
        down + up,
        sync_down * 1000
    )
}
