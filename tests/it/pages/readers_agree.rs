//! The two readers of a script page, the QuickJS sandbox and the literal
//! reader, give the same values, cuts and notes on every page: the fixtures,
//! the captures (and the shared ones when present), the generated pages; and
//! where a page holds code, the engine reads it while the literal reader
//! refuses it. Without the `js` feature only the literal reader's half runs.

use smarthub_exporter::script::literal::Lit;
use smarthub_exporter::script::{self, Var};

// What only the tests comparing with the engine use.
#[cfg(feature = "js")]
use {
    super::owl::{OWL, OWL_ORIGINAL, OWL_SPECIAL},
    super::soon,
    crate::support::{fixture, pages, shared_fixture, strip_publisher_notes},
    smarthub_exporter::pages::{lan, owl, status},
};

/// Both readers of the device page, when this build has both; the JS-free
/// one alone otherwise. They must agree, values and notes.
pub(super) fn read_both(page: &[u8], vars: &[script::Var]) -> script::Values {
    let lit = script::read_data(page, vars).unwrap_or_else(|e| panic!("{e}"));
    #[cfg(feature = "js")]
    {
        let js = script::quickjs::read(page, vars, soon()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(js, lit, "the two readers differ");
    }
    lit
}

#[test]
fn limits_are_cuts_made_alike_by_both_readers() {
    use script::limits::{MAX_ARRAY_LEN, MAX_STRING_BYTES};
    // A string over the limit is cut on a character boundary (`xyyy..`
    // at the limit, `éé..` at the last é that fits), marked as cut.
    let long = format!("x{}", "é".repeat(MAX_STRING_BYTES));
    let page = format!(
        "var a = ['{long}', 'x{}', 'short'];\nvar b = [{}];\nvar c = [{}null];\n",
        "y".repeat(MAX_STRING_BYTES),
        "1,".repeat(5000),
        "2,".repeat(MAX_ARRAY_LEN)
    );
    let vars = [
        script::Var::all("a"),
        script::Var::all("b"),
        script::Var::all("c"),
    ];
    let r = read_both(page.as_bytes(), &vars);
    let Some(Lit::Array(a)) = &r.values[0] else {
        panic!("{:?}", r.values[0])
    };
    assert_eq!(
        a[0],
        Lit::Cut(format!("x{}", "é".repeat(MAX_STRING_BYTES / 2 - 1)))
    );
    let Lit::Cut(y) = &a[1] else {
        panic!("{:?}", a[1])
    };
    assert_eq!(y.len(), MAX_STRING_BYTES);
    assert_eq!(a[2], Lit::Str("short".into()));
    assert_eq!(
        r.values[1],
        Some(Lit::Array(vec![Lit::Num(1.0); MAX_ARRAY_LEN]))
    );
    // 4,096 elements and the hub's trailing null: nothing lost, no note.
    assert_eq!(
        r.values[2],
        Some(Lit::Array(vec![Lit::Num(2.0); MAX_ARRAY_LEN]))
    );
    assert_eq!(
        r.notes,
        [
            "a: 2 strings longer than 4096 bytes were cut",
            "b: an array of 5000 elements was cut to 4096",
        ]
    );
    // What cannot be cut is still refused, by both.
    let deep = b"var a = [[[[[[1]]]]]];";
    assert!(script::read_data(deep, &Var::each(&["a"])).is_err());
    #[cfg(feature = "js")]
    assert!(script::quickjs::read(deep, &Var::each(&["a"]), soon()).is_err());
}

/// Both readers of the device page (JavaScript engine and literal parser)
/// must give identical devices on every page.
#[cfg(feature = "js")]
#[test]
fn both_readers_agree_on_every_device_page() {
    let mut pages: Vec<(String, Vec<u8>)> = [
        "hub/lan.js",
        "hub/lan_names.js",
        "hub/lan_64bit.js",
        "hub/lan_empty.js",
        "hub/lan_orphans.js",
        "captures/krygal__eebrightbox/cgi_myNetwork.js",
        "captures/jxwolstenholme__btsmarthub_devicelist/cgi_basicMyDevice.js",
        "captures/jxwolstenholme__btsmarthub_devicelist/at-58f16f9/cgi_basicMyDevice.js",
        "captures/jxwolstenholme__btsmarthub_devicelist/cgi_basicMyDevice.special_chars.js",
    ]
    .iter()
    .map(|f| (f.to_string(), strip_publisher_notes(&fixture(f))))
    .collect();
    pages.push((
        "generated 250".into(),
        crate::support::pages::device_page(&crate::support::pages::devices(250, 7)).into_bytes(),
    ));
    if let Some(p) = shared_fixture("jamesorlakin__bt-smarthub-exporter/lan.js") {
        pages.push(("the Go exporter's lan.js".into(), p));
    }
    let names = ["known_device_list", "rate"];
    for (name, page) in &pages {
        let js = script::quickjs::read(page, &Var::each(&names), soon())
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .values;
        let lit = script::read_data(page, &Var::each(&names))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .values;
        assert_eq!(js, lit, "{name}: the two readers differ");
        let empty = Lit::Array(vec![]);
        let a = lan::from_lists(js[0].as_ref().unwrap(), js[1].as_ref().unwrap_or(&empty)).unwrap();
        let b =
            lan::from_lists(lit[0].as_ref().unwrap(), lit[1].as_ref().unwrap_or(&empty)).unwrap();
        assert_eq!(a, b, "{name}");
        assert!(
            !a.devices.is_empty() || name.contains("empty"),
            "{name}: no devices read"
        );
    }
}

/// Both readers (JavaScript engine and literal parser) must read the same
/// values from the mesh and status pages, captures and generated ones.
#[cfg(feature = "js")]
#[test]
fn both_readers_agree_on_the_owl_and_status_pages() {
    let mut pages: Vec<(String, Vec<u8>, Vec<Var>)> = Vec::new();
    for f in [
        OWL,
        OWL_ORIGINAL,
        OWL_SPECIAL,
        "hub/owl_mesh.js",
        "hub/owl.js",
    ] {
        pages.push((f.into(), fixture(f), Var::each(&owl::VARS)));
    }
    for f in ["hub/status.js", "hub/status_sparse.js"] {
        pages.push((f.into(), fixture(f), status::VARS.to_vec()));
    }
    pages.push((
        "generated owl 250".into(),
        crate::support::pages::owl_page(&crate::support::pages::devices(250, 3)).into_bytes(),
        Var::each(&owl::VARS),
    ));
    pages.push((
        "generated status".into(),
        crate::support::pages::status_page().into_bytes(),
        status::VARS.to_vec(),
    ));
    if let Some(p) = shared_fixture("bielesibub__bt-speedchecker/basic_status_example.js") {
        pages.push((
            "shared basic_status_example.js".into(),
            p,
            status::VARS.to_vec(),
        ));
    }
    for (name, page, vars) in &pages {
        let js = script::quickjs::read(page, vars, soon())
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .values;
        let lit = script::read_data(page, vars)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .values;
        assert_eq!(js, lit, "{name}: the two readers differ");
        assert!(js[0].is_some(), "{name}: {} is missing", vars[0].name);
        if vars[0].name == owl::VARS[0] {
            let m = owl::from_lists(js[0].as_ref().unwrap(), js[1].as_ref().unwrap()).unwrap();
            assert!(!m.nodes.is_empty() && !m.stations.is_empty(), "{name}");
        } else {
            let s = status::from_vars(&js).unwrap();
            assert!(!s.firmware.is_empty(), "{name}");
        }
    }
}

/// The names a page declares at the start of a line with a literal value
/// (`var x = [`, `{`, a quote or a digit).
#[cfg(feature = "js")]
fn literal_vars(page: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(page);
    text.lines()
        .filter_map(|l| {
            let (name, value) = l.strip_prefix("var ")?.split_once('=')?;
            let name = name.trim();
            let starts = value.trim_start().chars().next()?;
            (name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && (matches!(starts, '[' | '{' | '\'' | '"') || starts.is_ascii_digit()))
            .then(|| name.to_owned())
        })
        .collect()
}

/// The literal reader and the engine read every real page alike: the
/// captures under tests/fixtures, the shared ones, and the generated pages.
#[cfg(feature = "js")]
#[test]
fn both_readers_agree_on_every_real_page() {
    use crate::support::collector::page_of;
    use smarthub_exporter::pages::{lan, owl, status};
    use smarthub_exporter::script::{self, Var};
    let mut files = Vec::new();
    let mut dirs = vec![crate::support::repo_root().join("tests/fixtures")];
    dirs.extend(crate::support::shared_fixtures_dir());
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "js") {
                files.push(p);
            }
        }
    }
    // Each page with the collector whose page it is.
    let mut pages: Vec<(String, &str, Vec<u8>)> = files
        .iter()
        .map(|p| {
            let raw = std::fs::read(p).unwrap();
            let of = page_of(p)
                .unwrap_or_else(|| panic!("{}: no collector's page; name it for one", p.display()));
            (
                p.display().to_string(),
                of.name,
                crate::support::strip_publisher_notes(&raw),
            )
        })
        .collect();
    let devs = pages::devices(250, 5);
    pages.push((
        "generated device".into(),
        "lan",
        pages::device_page(&devs).into(),
    ));
    pages.push(("generated owl".into(), "owl", pages::owl_page(&devs).into()));
    pages.push((
        "generated status".into(),
        "status",
        pages::status_page().into(),
    ));
    assert!(pages.len() >= 20, "{} pages", pages.len());
    let soon = || std::time::Instant::now() + std::time::Duration::from_secs(5);
    for (name, collector, page) in &pages {
        let declared = literal_vars(page);
        let vars: Vec<Var> = match *collector {
            "owl" => vec![
                Var {
                    name: owl::VARS[0],
                    fields: owl::NODE_FIELDS,
                },
                Var {
                    name: owl::VARS[1],
                    fields: owl::STATION_FIELDS,
                },
            ],
            "status" => status::VARS.to_vec(),
            "lan" => vec![
                lan::VARS[0],
                lan::VARS[1],
                // Every other list of the device page, whole.
                Var::all("usb_device_list"),
                Var::all("wireless_device_option_list"),
                Var::all("acl_list"),
                Var::all("MAX_NAT_RULES"),
                Var::all("wan_suuport_eth"),
            ],
            // Another collector's page: every variable it declares with a
            // literal, whole.
            _ => {
                assert!(!declared.is_empty(), "{name}: no `var x = <literal>`");
                declared.iter().map(|n| Var::all(n)).collect()
            }
        };
        let js =
            script::quickjs::read(page, &vars, soon()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let lit = script::read_data(page, &vars).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(js, lit, "{name}: the two readers differ");
        assert!(js.values[0].is_some(), "{name}: {} missing", vars[0].name);
    }
}

/// What a page with code reads as in the engine, and that the literal
/// reader refuses it rather than reading something else: the hostile pages
/// above, side by side.
#[cfg(feature = "js")]
#[test]
fn where_the_engine_reads_code_the_literal_reader_refuses() {
    use smarthub_exporter::script;
    let soon = || std::time::Instant::now() + std::time::Duration::from_secs(5);
    let pushed = crate::exact_readers::pushed_device_page(3);
    let reassigned = pages::status_page() + "fw_ver = 'v9';\n";
    let in_function = "var x = [1];\nfunction f(){ var x = [2]; }\n".to_owned();
    let spliced = "var x = [1, 2];\nx.splice(0, 1);\n".to_owned();
    for (page, var) in [
        (pushed, "known_device_list"),
        (reassigned, "fw_ver"),
        (in_function, "x"),
        (spliced, "x"),
    ] {
        let js = script::quickjs::read(page.as_bytes(), &[script::Var::all(var)], soon()).unwrap();
        assert!(js.values[0].is_some(), "{page:?}");
        let lit = script::read_data(page.as_bytes(), &[script::Var::all(var)]);
        let err = lit.expect_err(&page).to_string();
        assert!(err.contains("line "), "{err}");
    }
}
