//! Instructions per scrape under callgrind: `benches/callgrind.sh`, which
//! builds the `-nojs` binary and runs this with both builds (or
//! `cargo bench --bench callgrind` for the build cargo makes).
//!
//! CPU time on a shared 2-core machine swings ±15% from run to run; the
//! instruction count of the same scrape does not, so it is the figure the
//! budget compares builds by. Each figure is the difference of two runs,
//! one of `N1` scrapes and one of `N2`, divided by `N2 - N1`: start-up, the
//! first scrape's probe and valgrind's own exit cancel out. Each run gets
//! a fresh fake hub, so both see the same pages from the first request on.
//!
//! Rows:
//! - each build (the one cargo built, and any in `CALLGRIND_BINS`) scraping
//!   wan + lan at 250 devices on the generated page, and the real 2-device
//!   page (the Go exporter's capture `lan.js` when the shared fixtures are
//!   at hand, else ours), with `--cache-ttl 0`;
//! - the floor: a fresh QuickJS runtime and context, made as
//!   `script::quickjs` makes them (limits, interrupt handler, built-ins, the
//!   no-op `addCfg`), evaluating the same 250-device page with its inert
//!   `addCfg` lines blanked as the exporter blanks them. Blanking is done
//!   once, outside the count: it is the exporter's work, not the engine's.
//!   It runs in this binary, re-executed under valgrind. The same for the
//!   real 2-device page, whose goal is absolute;
//! - what a sandbox costs without a page: a fresh runtime and context, and
//!   a fresh context in a runtime kept from one evaluation to the next (with
//!   the garbage collection that keeping it needs), and the floor in a kept
//!   runtime.
//!
//! The QuickJS and rquickjs versions are printed with the figures: the
//! floor moves with them.
//!
//! Environment:
//! - `CALLGRIND_SCRAPES=N1,N2` (default `2,12`);
//! - `CALLGRIND_BINS=label=path[,label=path]`: more binaries to measure;
//! - `CALLGRIND_ONLY=<text>`: only the rows whose label contains it;
//! - `CALLGRIND_PROFILE=<n>`: after each row, its `n` costliest functions
//!   per scrape, inclusive and self (`callgrind_annotate` of both runs,
//!   subtracted);
//! - `CALLGRIND_ALLOCS=1`: allocations and bytes allocated per scrape too
//!   (valgrind's DHAT, the same two runs), and the bytes live at the heap's
//!   peak in the longer run (allocator-independent; the floor rows' peak
//!   includes the blanked page and its copy handed to the engine, as the
//!   exporter holds them, and the bench's own few KB);
//! - `SMARTHUB_SHARED_FIXTURES`: where the Go exporter's captures are.
//!
//! The counts files stay in `<target>/release/callgrind/` for
//! `callgrind_annotate`.

// Only part of the support code is used here.
#[allow(dead_code)]
#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use support::exporter::Exporter;
use support::fake_hub::{FakeHub, Reply};
use support::{LAN, WAN};

const ONLY_CORE: &[&str] = &["--no-collector", "status", "--no-collector", "owl"];
const DEVICES: usize = 250;

/// What valgrind runs: instruction counts, or allocations.
#[derive(Clone, Copy, PartialEq)]
enum Tool {
    Callgrind,
    Dhat,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Callgrind => "callgrind",
            Tool::Dhat => "dhat",
        }
    }
}

/// What one run under valgrind counted.
#[derive(Clone, Copy, Default)]
struct Counts {
    /// Instructions (callgrind), or bytes allocated (DHAT).
    total: u64,
    /// Blocks allocated (DHAT only).
    blocks: u64,
    /// Bytes live at the heap's peak (DHAT only).
    peak: u64,
}

/// Where the runs' files go and how valgrind is started.
struct Bench {
    dir: PathBuf,
    n1: usize,
    n2: usize,
    profile: usize,
}

/// The runner `support::exporter` starts the binary through: it swaps in
/// the binary being measured and runs it under the tool the child's
/// environment names (`tests/support` knows one runner program, no flags).
const WRAPPER: &str = r#"#!/bin/sh
# Written by benches/callgrind.rs: runs $CG_BIN under valgrind in place of
# the binary it is handed.
shift
case $CG_TOOL in
  callgrind) exec valgrind --tool=callgrind --callgrind-out-file="$CG_OUT" --log-file="$CG_LOG" "$CG_BIN" "$@" ;;
  dhat) exec valgrind --tool=dhat --dhat-out-file="$CG_OUT" --log-file="$CG_LOG" "$CG_BIN" "$@" ;;
  *) echo "CG_TOOL must be callgrind or dhat" >&2; exit 2 ;;
esac
"#;

impl Bench {
    fn wrapper(&self) -> PathBuf {
        self.dir.join("valgrind-runner.sh")
    }

    fn files(&self, tool: Tool, row: &str, n: usize) -> (PathBuf, PathBuf) {
        let stem: String = row
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let stem = stem.trim_matches('-');
        let base = format!("{stem}.{n}.{}", tool.name());
        (
            self.dir.join(format!("{base}.out")),
            self.dir.join(format!("{base}.log")),
        )
    }

    fn env<'a>(tool: Tool, bin: &'a Path, out: &'a Path, log: &'a Path) -> [(&'a str, &'a str); 4] {
        [
            ("CG_TOOL", tool.name()),
            ("CG_BIN", bin.to_str().expect("UTF-8 path")),
            ("CG_OUT", out.to_str().expect("UTF-8 path")),
            ("CG_LOG", log.to_str().expect("UTF-8 path")),
        ]
    }

    /// One run of `n` scrapes of the exporter `bin` against a fresh hub.
    fn scrapes(&self, tool: Tool, row: &str, bin: &Path, scenario: &Scenario, n: usize) -> Counts {
        let (out, log) = self.files(tool, row, n);
        let hub = scenario.hub();
        let mut args = vec!["--cache-ttl", "0", "--timeout", "60"];
        args.extend_from_slice(ONLY_CORE);
        let exp = Exporter::start_env(Some(&hub.host()), &args, &Self::env(tool, bin, &out, &log));
        for _ in 0..n {
            let r = exp.get("/metrics");
            assert_eq!(r.status, 200, "{row}: {}", r.head);
            let body = r.text();
            // A row that measures a failed scrape measures nothing.
            assert!(
                body.contains("smarthub_up 1\n"),
                "{row}: the scrape failed:\n{body}"
            );
        }
        let (status, _) = exp.signal(libc::SIGTERM);
        assert!(status.success(), "{row}: exporter exited with {status}");
        read_counts(tool, &out, &log)
    }

    /// One run of this binary's `--engine-child` mode under valgrind.
    #[cfg(feature = "js")]
    fn child(&self, tool: Tool, row: &str, mode: &str, page: Option<&Path>, n: usize) -> Counts {
        let (out, log) = self.files(tool, row, n);
        let me = std::env::current_exe().unwrap();
        let status = Command::new(self.wrapper())
            .arg("-")
            .args(["--engine-child", mode, &n.to_string()])
            .args(page)
            .envs(Self::env(tool, &me, &out, &log))
            .status()
            .expect("run valgrind");
        assert!(status.success(), "{row}: {status}; see {}", log.display());
        read_counts(tool, &out, &log)
    }

    /// Per-scrape (or per-evaluation) figures from the two runs `run` makes.
    fn row(
        &self,
        label: &str,
        per: &str,
        run: &dyn Fn(Tool, usize) -> Counts,
        allocs: bool,
    ) -> Row {
        let (n1, n2) = (self.n1, self.n2);
        let d = (n2 - n1) as f64;
        let (a, b) = (run(Tool::Callgrind, n1), run(Tool::Callgrind, n2));
        let ir = (b.total as f64 - a.total as f64) / d;
        let allocs = allocs.then(|| {
            let (a, b) = (run(Tool::Dhat, n1), run(Tool::Dhat, n2));
            (
                (b.blocks as f64 - a.blocks as f64) / d,
                (b.total as f64 - a.total as f64) / d,
                b.peak,
            )
        });
        let row = Row {
            label: label.to_owned(),
            per: per.to_owned(),
            ir,
            allocs,
        };
        println!("{}", row.line());
        if self.profile > 0 {
            let (f1, _) = self.files(Tool::Callgrind, label, n1);
            let (f2, _) = self.files(Tool::Callgrind, label, n2);
            profile(&f1, &f2, d, self.profile);
        }
        row
    }
}

struct Row {
    label: String,
    per: String,
    ir: f64,
    /// Blocks and bytes allocated per scrape, and the bytes live at the
    /// heap's peak.
    allocs: Option<(f64, f64, u64)>,
}

impl Row {
    fn line(&self) -> String {
        let allocs = match self.allocs {
            // DHAT counts calls to the C library's malloc; a static musl
            // binary's own allocator is invisible to it.
            Some((_, _, 0)) => " n/a | n/a | n/a |".to_owned(),
            Some((blocks, bytes, peak)) => format!(
                " {blocks:.0} | {:.1} KiB | {:.1} KiB |",
                bytes / 1024.0,
                peak as f64 / 1024.0
            ),
            None => String::new(),
        };
        format!(
            "| {} | {:.2} M per {} |{allocs}",
            self.label,
            self.ir / 1e6,
            self.per
        )
    }
}

/// Callgrind's `totals:` line, or DHAT's `Total: B bytes in N blocks`.
fn read_counts(tool: Tool, out: &Path, log: &Path) -> Counts {
    let number = |s: &str| -> u64 {
        s.chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or_else(|_| panic!("no number in {s:?}"))
    };
    match tool {
        Tool::Callgrind => {
            let text = std::fs::read_to_string(out)
                .unwrap_or_else(|e| panic!("{}: {e}; see {}", out.display(), log.display()));
            let line = text
                .lines()
                .find_map(|l| {
                    l.strip_prefix("totals:")
                        .or_else(|| l.strip_prefix("summary:"))
                })
                .unwrap_or_else(|| panic!("no totals in {}", out.display()));
            Counts {
                total: number(line.split_whitespace().next().unwrap_or("")),
                ..Counts::default()
            }
        }
        Tool::Dhat => {
            let text = std::fs::read_to_string(log).unwrap();
            // "Total:     1,234 bytes in 56 blocks", "At t-gmax: 789 bytes in 12 blocks"
            let line = |key: &str| -> (u64, u64) {
                let line = text
                    .lines()
                    .find_map(|l| l.split_once(key).map(|(_, r)| r.to_owned()))
                    .unwrap_or_else(|| panic!("no {key} in {}", log.display()));
                let (bytes, rest) = line.split_once("bytes in").expect("DHAT's summary line");
                (
                    number(bytes),
                    number(rest.split("blocks").next().unwrap_or("")),
                )
            };
            let ((total, blocks), (peak, _)) = (line("Total:"), line("At t-gmax:"));
            Counts {
                total,
                blocks,
                peak,
            }
        }
    }
}

/// Prints the `top` functions by instructions per scrape, inclusive and
/// self: the annotation of the `N2` run less that of the `N1` run.
fn profile(f1: &Path, f2: &Path, scrapes: f64, top: usize) {
    for inclusive in [true, false] {
        let a = annotate(f1, inclusive);
        let b = annotate(f2, inclusive);
        let mut diff: Vec<(f64, &str)> = b
            .iter()
            .map(|(name, &n)| {
                let before = a.get(name).copied().unwrap_or(0);
                ((n as f64 - before as f64) / scrapes, name.as_str())
            })
            .collect();
        diff.sort_by(|x, y| y.0.total_cmp(&x.0));
        println!(
            "    {} Ir per scrape:",
            if inclusive { "inclusive" } else { "self" }
        );
        for (ir, name) in diff.iter().take(top) {
            println!("    {:>10.3} M  {name}", ir / 1e6);
        }
    }
}

/// Function → instructions, from `callgrind_annotate`.
fn annotate(file: &Path, inclusive: bool) -> HashMap<String, u64> {
    let out = Command::new("callgrind_annotate")
        .arg(format!(
            "--inclusive={}",
            if inclusive { "yes" } else { "no" }
        ))
        .arg("--threshold=100")
        .arg(file)
        .output()
        .expect("callgrind_annotate (valgrind's package)");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut map = HashMap::new();
    for line in text.lines() {
        // "12,345,678 (12.34%)  file:function [object]"
        let t = line.trim_start();
        let Some((count, rest)) = t.split_once(' ') else {
            continue;
        };
        if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit() || b == b',') {
            continue;
        }
        let rest = rest.trim_start();
        let rest = match rest.strip_prefix('(') {
            Some(r) => r.split_once(')').map_or(r, |(_, r)| r).trim_start(),
            None => rest,
        };
        if rest.is_empty() || rest.starts_with("PROGRAM TOTALS") {
            continue;
        }
        let name = rest.split(" [").next().unwrap_or(rest);
        let name = name.split_once(':').map_or(name, |(_, f)| f);
        // `f'2` is `f` called from within itself: its self cost adds to
        // `f`'s, and its inclusive cost is already inside `f`'s.
        let (name, nested) = match name.rsplit_once('\'') {
            Some((base, depth)) if depth.bytes().all(|b| b.is_ascii_digit()) => (base, true),
            _ => (name, false),
        };
        if nested && inclusive {
            continue;
        }
        let n: u64 = count.replace(',', "").parse().unwrap_or(0);
        *map.entry(name.to_owned()).or_insert(0) += n;
    }
    map
}

/// The pages a scrape reads.
enum Scenario {
    /// The generated 250-device page and a VDSL WAN page, both moving.
    Generated,
    /// A captured device page and WAN page, as served by a real hub.
    Real { lan: Vec<u8>, wan: Vec<u8> },
}

impl Scenario {
    fn hub(&self) -> FakeHub {
        match self {
            Scenario::Generated => {
                let hub = FakeHub::with_pages(DEVICES);
                hub.set(
                    WAN,
                    Reply::Dynamic(Arc::new(|n| support::pages::wan_page_vdsl(n).into_bytes())),
                );
                hub
            }
            Scenario::Real { lan, wan } => {
                let hub = FakeHub::start();
                hub.set(WAN, Reply::ok(wan.clone()));
                hub.set(LAN, Reply::ok(lan.clone()));
                hub
            }
        }
    }
}

/// The real 2-device pages (the Go exporter's captures when at hand) and
/// what they are.
fn real_pages() -> (Scenario, &'static str) {
    let shared =
        |p: &str| support::shared_fixture(&format!("jamesorlakin__bt-smarthub-exporter/{p}"));
    match (shared("lan.js"), shared("smarthub_wan_conn.xml")) {
        (Some(lan), Some(wan)) => (
            Scenario::Real { lan, wan },
            "the Go exporter's capture lan.js (SMARTHUB_SHARED_FIXTURES)",
        ),
        _ => (
            Scenario::Real {
                lan: support::fixture("hub/lan.js"),
                wan: support::fixture("hub/wan.xml"),
            },
            "tests/fixtures/hub/lan.js (the Go exporter's capture is not at hand)",
        ),
    }
}

/// `name = "…"` then `version = "…"` in Cargo.lock.
fn locked_version(name: &str) -> String {
    let lock = std::fs::read_to_string(support::repo_root().join("Cargo.lock")).unwrap_or_default();
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l.trim() == format!("name = \"{name}\"") {
            if let Some(v) = lines
                .next()
                .and_then(|v| v.trim().strip_prefix("version = "))
            {
                return v.trim_matches('"').to_owned();
            }
        }
    }
    "?".to_owned()
}

fn tool_version(cmd: &str, arg: &str) -> String {
    Command::new(cmd)
        .arg(arg)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "?".to_owned())
}

#[cfg(feature = "js")]
fn quickjs_version() -> String {
    // SAFETY: returns a static C string.
    let v = unsafe { std::ffi::CStr::from_ptr(rquickjs::qjs::JS_GetVersion()) };
    format!("QuickJS-ng {}", v.to_string_lossy())
}

#[cfg(not(feature = "js"))]
fn quickjs_version() -> String {
    "QuickJS (not in this build: run benches/callgrind.sh for its version)".to_owned()
}

/// The engine-only work, run `n` times in this process under valgrind.
#[cfg(feature = "js")]
mod engine {
    use rquickjs::{qjs, Context, Ctx, Runtime};
    use smarthub_exporter::script::limits::{JS_MEMORY_BYTES, JS_STACK_BYTES};
    use smarthub_exporter::script::quickjs::{drop_inert_addcfg, BuiltIns};
    use std::time::{Duration, Instant};

    fn eval(ctx: &Ctx, src: &[u8]) {
        // The source and a NUL, as `script::quickjs` hands it over.
        let len = src.len();
        let mut src = {
            let mut v = Vec::with_capacity(len + 1);
            v.extend_from_slice(src);
            v
        };
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
    }

    /// A runtime as `script::quickjs::read` makes it: the heap and stack
    /// limits and an interrupt handler reading the clock.
    fn runtime() -> Runtime {
        let rt = Runtime::new().unwrap();
        rt.set_memory_limit(JS_MEMORY_BYTES);
        rt.set_max_stack_size(JS_STACK_BYTES);
        let deadline = Instant::now() + Duration::from_secs(600);
        rt.set_interrupt_handler(Some(Box::new(move || Instant::now() >= deadline)));
        rt
    }

    /// A context with the sandbox's built-ins and its no-op `addCfg`, the
    /// page evaluated in it when there is one.
    fn sandbox(rt: &Runtime, page: Option<&[u8]>) {
        let context = Context::custom::<BuiltIns>(rt).unwrap();
        context.with(|ctx| {
            eval(&ctx, b"function addCfg(){}");
            if let Some(page) = page {
                eval(&ctx, page);
            }
        });
    }

    /// `page`: a file holding the device page, else the generated one.
    pub fn run(mode: &str, n: usize, page: Option<&str>) {
        let page = if matches!(mode, "sandbox" | "context") {
            Vec::new()
        } else {
            let page = match page {
                Some(path) => String::from_utf8(std::fs::read(path).unwrap()).unwrap(),
                None => super::support::pages::device_page(&super::support::pages::devices(
                    super::DEVICES,
                    1000,
                )),
            };
            // Blanked in place, as in the exporter.
            let mut page = page.into_bytes();
            drop_inert_addcfg(&mut page);
            page
        };
        match mode {
            "floor" => (0..n).for_each(|_| sandbox(&runtime(), Some(&page))),
            "sandbox" => (0..n).for_each(|_| sandbox(&runtime(), None)),
            "context" | "floor-kept-runtime" => {
                let rt = runtime();
                let page = (mode != "context").then_some(&page[..]);
                for _ in 0..n {
                    sandbox(&rt, page);
                    // A context's cycles (functions and their prototypes)
                    // are only freed by a collection.
                    rt.run_gc();
                }
            }
            _ => panic!("unknown mode {mode}"),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--engine-child") {
        #[cfg(feature = "js")]
        {
            let page = args.get(i + 3).map(String::as_str);
            engine::run(&args[i + 1], args[i + 2].parse().unwrap(), page);
            return;
        }
        #[cfg(not(feature = "js"))]
        {
            eprintln!("--engine-child {}: needs the js feature", args[i + 1]);
            std::process::exit(2);
        }
    }

    let (n1, n2) = std::env::var("CALLGRIND_SCRAPES")
        .ok()
        .and_then(|v| {
            let (a, b) = v.split_once(',')?;
            Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
        })
        .unwrap_or((2, 12));
    assert!(n2 > n1, "CALLGRIND_SCRAPES: N2 must exceed N1");
    let only = std::env::var("CALLGRIND_ONLY").unwrap_or_default();
    let profile = std::env::var("CALLGRIND_PROFILE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let allocs = std::env::var_os("CALLGRIND_ALLOCS").is_some_and(|v| v != "0");

    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("callgrind bench: valgrind is not installed (Debian: apt-get install valgrind)");
        std::process::exit(1);
    }
    let exe = std::env::current_exe().unwrap();
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps")
        .join("callgrind");
    std::fs::create_dir_all(&dir).unwrap();
    let bench = Bench {
        dir,
        n1,
        n2,
        profile,
    };
    std::fs::write(bench.wrapper(), WRAPPER).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(bench.wrapper(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // Read by `support::exporter` at each start; set before any thread runs.
    std::env::set_var("SMARTHUB_EXPORTER_RUNNER", bench.wrapper());

    let own = if cfg!(feature = "js") {
        "default"
    } else {
        "-nojs"
    };
    let mut bins = vec![(own.to_owned(), support::exporter::binary())];
    if let Ok(more) = std::env::var("CALLGRIND_BINS") {
        for spec in more.split(',').filter(|s| !s.is_empty()) {
            let (label, path) = spec
                .split_once('=')
                .expect("CALLGRIND_BINS: label=path[,label=path]");
            bins.push((label.to_owned(), PathBuf::from(path)));
        }
    }

    // What is printed, kept for `table.md` (see the end).
    let mut report = Vec::new();
    let mut say = |line: String| {
        println!("{line}");
        report.push(line);
    };
    say(format!(
        "{}; rquickjs {}, rquickjs-sys {} (Cargo.lock); {}; {}",
        quickjs_version(),
        locked_version("rquickjs"),
        locked_version("rquickjs-sys"),
        tool_version("valgrind", "--version"),
        tool_version("rustc", "--version"),
    ));
    let (real, real_name) = real_pages();
    say(format!("real 2-device page: {real_name}"));
    for (label, path) in &bins {
        say(format!("{label}: {}", path.display()));
    }
    say(format!(
        "per scrape = (Ir of {n2} scrapes - Ir of {n1}) / {}; each scrape fetches wan + lan (--cache-ttl 0)",
        n2 - n1
    ));
    println!();
    let head = if allocs {
        "| row | instructions (Ir) | allocations | bytes allocated | heap peak |\n|---|---:|---:|---:|---:|"
    } else {
        "| row | instructions (Ir) |\n|---|---:|"
    };
    println!("{head}");

    let generated = Scenario::Generated;
    let mut rows = Vec::new();
    for (label, bin) in &bins {
        for (name, scenario) in [
            (format!("{label}, {DEVICES} devices"), &generated),
            (format!("{label}, real 2-device page"), &real),
        ] {
            if !name.contains(only.as_str()) {
                continue;
            }
            let run = |tool, n| bench.scrapes(tool, &name, bin, scenario, n);
            rows.push(bench.row(&name, "scrape", &run, allocs));
        }
    }
    #[cfg(feature = "js")]
    {
        let real_lan = bench.dir.join("real-lan.js");
        if let Scenario::Real { lan, .. } = &real {
            std::fs::write(&real_lan, lan).unwrap();
        }
        for (name, mode, page) in [
            (
                format!(
                    "floor: QuickJS alone, fresh runtime, {DEVICES}-device page, addCfg blanked"
                ),
                "floor",
                None,
            ),
            (
                "floor, real 2-device page".to_owned(),
                "floor",
                Some(real_lan.as_path()),
            ),
            (
                format!(
                    "floor in one kept runtime (fresh context + GC each time), {DEVICES} devices"
                ),
                "floor-kept-runtime",
                None,
            ),
            (
                "a fresh sandbox alone (runtime + context + addCfg, no page)".to_owned(),
                "sandbox",
                None,
            ),
            (
                "a fresh context alone in a kept runtime (+ GC)".to_owned(),
                "context",
                None,
            ),
        ] {
            if !name.contains(only.as_str()) {
                continue;
            }
            let run = |tool, n| bench.child(tool, &name, mode, page, n);
            rows.push(bench.row(&name, "evaluation", &run, allocs));
        }
    }

    println!();
    report.push(String::new());
    report.push(head.to_owned());
    report.extend(rows.iter().map(Row::line));
    report.push(String::new());
    let ir = |prefix: &str| {
        rows.iter()
            .find(|r| r.label.starts_with(prefix))
            .map(|r| r.ir)
    };
    for (scrape, floor) in [
        (format!("default, {DEVICES} devices"), "floor:"),
        ("default, real 2-device page".to_owned(), "floor, real"),
    ] {
        if let (Some(s), Some(f)) = (ir(&scrape), ir(floor)) {
            let line = format!(
                "{scrape} ÷ its floor: {:.3} ({:.2} M above it)",
                s / f,
                (s - f) / 1e6
            );
            println!("{line}");
            report.push(line);
        }
    }
    println!("counts files: {}", bench.dir.display());
    // A whole run's table is kept beside the counts, for the budget bench
    // to show with its own (`cargo bench --bench budget`).
    if only.is_empty() {
        let table = bench.dir.join(TABLE);
        std::fs::write(&table, report.join("\n") + "\n").unwrap();
        println!("table: {}", table.display());
    }
}

/// The file a whole run's table is kept in, beside the counts files.
const TABLE: &str = "table.md";
