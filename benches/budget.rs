//! The budget benchmark: `cargo bench --bench budget`.
//!
//! Runs the release-profile binary against the fake hub and prints the
//! figures the README's table reports: CPU per scrape and peak RSS on a
//! 250-device page (with 250 mesh stations when owl is on), and scrape time
//! against the time to fetch the pages directly on the real 2-device page.
//! It measures; it asserts nothing.
//!
//! CPU is user + system time, read to the nanosecond from the scheduler
//! (`/proc/<pid>/task/*/schedstat`) for the exporter and from
//! `CLOCK_PROCESS_CPUTIME_ID` for this process.
//!
//! The floor row is what the default build cannot go below: a fresh QuickJS
//! runtime and context (the sandbox's built-ins and its no-op `addCfg`)
//! evaluating the same 250-device page as served, and nothing else, in this
//! process. It is timed in batches between batches of the 250-device wan +
//! lan scrape, so that both see the same machine (a shared one is anything
//! but steady), and the bench prints the median of their per-round ratios.
//!
//! The overview row renders the page at `/` in this process, as the
//! listener does: from a report of the 250-device hub (parsed from the same
//! generated pages) and a full day of history (1,440 minutes, events
//! among them), timed with `CLOCK_PROCESS_CPUTIME_ID` over many renders.
//!
//! After its own table it shows the instruction counts `benches/callgrind.sh`
//! last measured (the budget's steady figures), or says how to get them.
//!
//! Each exporter is stopped with SIGTERM, so a runner such as
//! `SMARTHUB_EXPORTER_RUNNER=valgrind-wrapper` sees it exit normally (callgrind
//! writes its counts at exit).

// Only part of the support code is used here.
#[allow(dead_code)]
#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use std::sync::Arc;

use support::exporter::Exporter;
use support::fake_hub::{FakeHub, Reply};

use smarthub_exporter::pages::lan::EE_PATH as EE_LAN;
use support::{LAN, OWL, STATUS, WAN};
const ONLY_CORE: &[&str] = &["--no-collector", "status", "--no-collector", "owl"];

/// CPU time the exporter has used: the sum over its threads of the time the
/// scheduler ran them.
fn exporter_cpu(exp: &Exporter) -> Duration {
    let tasks = std::fs::read_dir(format!("/proc/{}/task", exp.pid())).unwrap();
    let ns: u64 = tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split(' ').next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(ns)
}

/// CPU time this process has used (the floor runs in it, while every other
/// thread of the bench is idle).
fn process_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// One evaluation of the floor: a fresh QuickJS runtime and context, made
/// as `script::quickjs` makes them, evaluating `page` as served (its
/// `addCfg` calls included, against the sandbox's no-op `addCfg`).
#[cfg(feature = "js")]
fn floor_once(page: &[u8]) {
    use rquickjs::{qjs, Context, Runtime};
    use smarthub_exporter::script::quickjs::BuiltIns;
    let eval = |ctx: &rquickjs::Ctx, src: &[u8]| {
        let mut src = src.to_vec();
        let len = src.len();
        src.push(0);
        // SAFETY: `src` is `len` bytes and a NUL; the result is freed.
        unsafe {
            let v = qjs::JS_Eval(
                ctx.as_raw().as_ptr(),
                src.as_ptr().cast(),
                len as _,
                c"eval_script".as_ptr(),
                qjs::JS_EVAL_TYPE_GLOBAL as i32,
            );
            assert!(!qjs::JS_IsException(v), "the page threw");
            qjs::JS_FreeValue(ctx.as_raw().as_ptr(), v);
        }
    };
    let rt = Runtime::new().unwrap();
    let context = Context::custom::<BuiltIns>(&rt).unwrap();
    context.with(|ctx| {
        eval(&ctx, b"function addCfg(){}");
        eval(&ctx, page);
    });
}

fn median<T: PartialOrd + Copy>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// What a row measured: CPU per scrape and median scrape time; with a
/// floor, its CPU per evaluation and the median per-round ratio.
struct Measured {
    cpu_ms: f64,
    wall: Duration,
    floor: Option<(f64, f64)>,
}

/// Rounds a row's scrapes are split into, each followed by as many floor
/// evaluations when there is a floor.
const ROUNDS: usize = 10;

/// CPU milliseconds per scrape over `n` scrapes and the median wall time;
/// with `floor`, the floor timed between the rounds of scrapes.
fn cpu_per_scrape(exp: &Exporter, n: usize, floor: Option<&dyn Fn()>) -> Measured {
    for _ in 0..20 {
        exp.get("/metrics");
        if let Some(f) = floor {
            f();
        }
    }
    let per = n.div_ceil(ROUNDS);
    let mut walls = Vec::with_capacity(n);
    let (mut scrape_cpu, mut floor_cpu) = (Duration::ZERO, Duration::ZERO);
    let mut ratios = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let before = exporter_cpu(exp);
        for _ in 0..per {
            let t = Instant::now();
            let r = exp.get("/metrics");
            walls.push(t.elapsed());
            assert_eq!(r.status, 200);
        }
        let s = exporter_cpu(exp) - before;
        scrape_cpu += s;
        if let Some(f) = floor {
            let before = process_cpu();
            for _ in 0..per {
                f();
            }
            let fl = process_cpu() - before;
            floor_cpu += fl;
            ratios.push(s.as_secs_f64() / fl.as_secs_f64());
        }
    }
    let count = (per * ROUNDS) as f64;
    Measured {
        cpu_ms: scrape_cpu.as_secs_f64() * 1000.0 / count,
        wall: median(walls),
        floor: floor.map(|_| (floor_cpu.as_secs_f64() * 1000.0 / count, median(ratios))),
    }
}

/// Fetches one page the way the exporter does (new connection, Referer).
fn fetch(hub: &FakeHub, path: &str) -> usize {
    let mut s = TcpStream::connect(hub.addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {0}\r\nReferer: http://{0}/\r\nConnection: close\r\n\r\n",
        hub.host()
    )
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    out.len()
}

/// CPU milliseconds per render of the overview (`/`, then `/status.json`)
/// at 250 devices and a full day of history, and the history's heap bytes.
fn overview_render(n: usize) -> (f64, f64, usize, usize) {
    use smarthub_exporter::overview::report::{HubStatus, Outcome};
    use smarthub_exporter::overview::{About, Board, Format, Report, State};
    use smarthub_exporter::pages;

    let far = Instant::now() + Duration::from_secs(60);
    let report = |minute: u64| {
        let devs = support::pages::devices(250, minute);
        let failing = minute % 240 == 7;
        Report {
            started: 1_796_083_200_000 + minute as i64 * 60_000,
            duration: Duration::from_millis(400),
            collectors: ["wan", "lan", "status", "owl"]
                .into_iter()
                .map(|name| Outcome {
                    name,
                    state: if failing && name == "owl" {
                        State::Failing("GET /cgi/cgi_owl.js: timed out".into())
                    } else {
                        State::Ok
                    },
                })
                .collect(),
            wan: Some(
                pages::wan::parse(support::pages::wan_page_vdsl(minute * 60).as_bytes()).unwrap(),
            ),
            hub: Some(HubStatus {
                firmware: "v0.21.03.07094-BT".into(),
                lan_ip: None,
            }),
            devices: Some(
                pages::lan::parse(&mut support::pages::device_page(&devs).into_bytes(), far)
                    .unwrap(),
            ),
            mesh: (!failing)
                .then(|| pages::owl::parse(support::pages::owl_page(&devs).as_bytes()).unwrap()),
        }
    };
    let mut board = Board::new(About {
        version: env!("CARGO_PKG_VERSION"),
        hub: "192.168.1.254:80".into(),
        poll_seconds: 60,
    });
    for minute in 0..1440 {
        board.record(std::sync::Arc::new(report(minute)));
    }
    let now = 1_796_083_200_000 + 1440 * 60_000;
    let mut per = [0.0; 2];
    let mut size = 0;
    for (i, format) in [Format::Html, Format::Json].into_iter().enumerate() {
        for _ in 0..20 {
            size = board.render(format, now).unwrap().len();
        }
        let before = process_cpu();
        for _ in 0..n {
            std::hint::black_box(board.render(format, now));
        }
        per[i] = (process_cpu() - before).as_secs_f64() * 1000.0 / n as f64;
        if i == 0 {
            eprintln!("overview: the page is {size} bytes");
        }
    }
    (per[0], per[1], board.history().heap_bytes(), size)
}

fn main() {
    // `cargo bench` passes --bench; the environment tunes the run:
    // BUDGET_SCRAPES (default 1000) and BUDGET_ONLY, a substring of the
    // scenarios to run (to profile one: `perf record` the bench with it).
    let n: usize = std::env::var("BUDGET_SCRAPES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let only = std::env::var("BUDGET_ONLY").unwrap_or_default();
    let size = std::fs::metadata(support::exporter::binary())
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "binary: {} ({} bytes, {:.2} MB)",
        support::exporter::binary().display(),
        size,
        size as f64 / 1e6
    );
    println!();
    println!("| scenario | CPU per scrape | median scrape time | peak RSS (VmHWM) |");
    println!("|---|---|---|---|");

    // The generated hub has a VDSL line that is up, so every family of the
    // wan collector is rendered.
    #[cfg(feature = "js")]
    let floor_page = support::pages::device_page(&support::pages::devices(250, 1000));
    #[cfg(feature = "js")]
    let floor = || floor_once(floor_page.as_bytes());
    let mut floor_line = None;
    let mut ee_requests = None;
    for (label, devices, args, ee) in [
        (
            "250 devices + 250 mesh stations, all collectors (wan, lan, status, owl)",
            250,
            &[][..],
            false,
        ),
        (
            "250 devices, wan + lan (the core's two pages)",
            250,
            ONLY_CORE,
            false,
        ),
        (
            "250 devices on the EE hub's page (cgi_myNetwork.js), wan + lan",
            250,
            ONLY_CORE,
            true,
        ),
        (
            "250 devices, wan + lan + status",
            250,
            &["--no-collector", "owl"][..],
            false,
        ),
        (
            "250 stations, --no-lan (wan, status, owl)",
            250,
            &["--no-lan"][..],
            false,
        ),
        (
            "2 devices + 2 stations (generated), all collectors",
            2,
            &[][..],
            false,
        ),
    ] {
        if !label.contains(only.as_str()) {
            continue;
        }
        let hub = FakeHub::with_pages(devices);
        hub.set(
            WAN,
            Reply::Dynamic(Arc::new(|n| support::pages::wan_page_vdsl(n).into_bytes())),
        );
        if ee {
            // An EE hub: the Smart Hub 2's page answers 404, the same lists
            // are at the EE page.
            hub.set(
                EE_LAN,
                Reply::Dynamic(Arc::new(move |n| {
                    support::pages::device_page(&support::pages::devices(devices, n)).into_bytes()
                })),
            );
            hub.set(LAN, Reply::status(404, &[], "Not Found"));
        }
        let mut a = vec!["--cache-ttl", "0"];
        a.extend_from_slice(args);
        let exp = Exporter::start(&hub.host(), &a);
        let with_floor: Option<&dyn Fn()> = if devices == 250 && args == ONLY_CORE && !ee {
            #[cfg(feature = "js")]
            {
                Some(&floor)
            }
            #[cfg(not(feature = "js"))]
            {
                floor_line = Some("floor: (the bench needs the `js` feature)".to_string());
                None
            }
        } else {
            None
        };
        let m = cpu_per_scrape(&exp, n, with_floor);
        println!(
            "| {label} | {:.2} ms | {:.2} ms | {:.1} MiB |",
            m.cpu_ms,
            m.wall.as_secs_f64() * 1000.0,
            exp.vm_hwm_kib() as f64 / 1024.0
        );
        if let Some((floor_ms, ratio)) = m.floor {
            println!("| floor: a fresh QuickJS runtime evaluating the same 250-device page | {floor_ms:.2} ms | | |");
            floor_line = Some(format!(
                "250-device scrape (wan + lan) {:.2} ms ÷ floor {floor_ms:.2} ms: ratio {ratio:.2} (median of {ROUNDS} rounds)",
                m.cpu_ms
            ));
        }
        if ee {
            ee_requests = Some((hub.count(LAN), hub.count(EE_LAN), hub.count(WAN)));
        }
        let _ = exp.signal(libc::SIGTERM);
    }

    // The real 2-device page (the Go exporter's capture when at hand, else ours).
    let (lan_page, lan_name) =
        match support::shared_fixture("jamesorlakin__bt-smarthub-exporter/lan.js") {
            Some(p) => (p, "the Go exporter's capture lan.js"),
            None => (support::fixture("hub/lan.js"), "tests/fixtures/hub/lan.js"),
        };
    let wan_page =
        support::shared_fixture("jamesorlakin__bt-smarthub-exporter/smarthub_wan_conn.xml")
            .unwrap_or_else(|| {
                support::fixture(
                    "captures/bebo-dot-dev__go-ddns-client/btsmarthub2.go.inline_wan_conn.xml",
                )
            });
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(wan_page));
    hub.set(LAN, Reply::ok(lan_page));
    // The real mesh capture (26 stations, 3 nodes) and our status page.
    hub.set(
        OWL,
        Reply::ok(support::fixture(
            "captures/jxwolstenholme__btsmarthub_devicelist/cgi_owl.js",
        )),
    );
    hub.set(STATUS, Reply::ok(support::fixture("hub/status.js")));
    let mut walls = Vec::new();
    for (label, args, pages) in [
        ("wan + lan", ONLY_CORE, &[WAN, LAN][..]),
        ("all four collectors", &[][..], &[WAN, LAN, STATUS, OWL][..]),
    ] {
        if !format!("real 2-device page, {label}").contains(only.as_str()) {
            continue;
        }
        let mut a = vec!["--cache-ttl", "0"];
        a.extend_from_slice(args);
        let exp = Exporter::start(&hub.host(), &a);
        let Measured { cpu_ms, wall, .. } = cpu_per_scrape(&exp, n, None);
        println!(
            "| real 2-device page ({lan_name}), {label} | {cpu_ms:.2} ms | {:.2} ms | {:.1} MiB |",
            wall.as_secs_f64() * 1000.0,
            exp.vm_hwm_kib() as f64 / 1024.0
        );
        let _ = exp.signal(libc::SIGTERM);
        walls.push((label, wall, pages));
    }
    let label = "render / (the overview page): 250 devices + 250 stations, a full day of history";
    let mut overview_line = None;
    if label.contains(only.as_str()) {
        let (html_ms, json_ms, history_bytes, json_size) = overview_render(n);
        println!("| {label} | {html_ms:.3} ms | | |");
        overview_line = Some(format!(
            "overview: /status.json renders in {json_ms:.3} ms ({json_size} bytes); the full day of history holds {history_bytes} bytes on the heap (bound: {} bytes)",
            smarthub_exporter::overview::history::MAX_BYTES
        ));
    }
    println!();
    if let Some(line) = overview_line {
        println!("{line}");
    }
    if let Some(line) = floor_line {
        println!("{line}");
    }
    if let Some((sh2, ee, wan)) = ee_requests {
        println!("EE hub: {wan} scrapes asked {ee} times for its device page and {sh2} time(s) for the Smart Hub 2's");
    }
    for (label, wall, pages) in walls {
        let mut direct = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            for p in pages {
                fetch(&hub, p);
            }
            direct.push(t.elapsed());
        }
        let direct = median(direct);
        println!(
            "real 2-device page, {label}: scrape {:.2} ms vs fetching its {} pages directly {:.2} ms: ratio {:.2}",
            wall.as_secs_f64() * 1000.0,
            pages.len(),
            direct.as_secs_f64() * 1000.0,
            wall.as_secs_f64() / direct.as_secs_f64()
        );
    }
    instructions();
}

/// The instructions per scrape beside the times: the table
/// `benches/callgrind.sh` left (CPU time on a shared machine swings ±15%
/// from run to run, instruction counts do not), or how to make one.
fn instructions() {
    // `benches/callgrind.sh` builds in `<target>/callgrind`; this bench runs
    // from `<target>/release/deps`.
    let table = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .map(|target| target.join("callgrind/release/callgrind/table.md"));
    println!();
    match table.as_deref().map(|t| (t, std::fs::read_to_string(t))) {
        Some((path, Ok(text))) => {
            let when = std::fs::metadata(path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| std::time::SystemTime::now().duration_since(t).ok())
                .map_or(String::new(), |age| {
                    format!(", {:.1} hours ago", age.as_secs_f64() / 3600.0)
                });
            println!(
                "Instructions per scrape (callgrind; `benches/callgrind.sh` at {}{when}, of the source as it was then):",
                path.display()
            );
            print!("{text}");
        }
        _ => println!(
            "Instructions per scrape: run `benches/callgrind.sh` (needs valgrind); this bench then shows its table here."
        ),
    }
}
