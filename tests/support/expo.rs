//! A strict reader of the Prometheus text format, independent of the
//! exporter's writer, so the tests check the format rather than trust it.

use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
    pub raw_value: String,
}

#[derive(Debug, Clone)]
pub struct Family {
    pub name: String,
    pub help: String,
    pub kind: String,
}

#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub families: Vec<Family>,
    pub samples: Vec<Sample>,
}

impl Parsed {
    pub fn has(&self, name: &str) -> bool {
        self.samples.iter().any(|s| s.name == name)
    }

    pub fn series(&self, name: &str) -> Vec<&Sample> {
        self.samples.iter().filter(|s| s.name == name).collect()
    }

    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.samples
            .iter()
            .find(|s| {
                s.name == name
                    && s.labels.len() == labels.len()
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|s| s.value)
    }

    /// The value of an unlabelled sample; panics when absent.
    pub fn value(&self, name: &str) -> f64 {
        self.get(name, &[])
            .unwrap_or_else(|| panic!("{name} is absent"))
    }

    pub fn raw(&self, name: &str, labels: &[(&str, &str)]) -> Option<String> {
        self.samples
            .iter()
            .find(|s| {
                s.name == name
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|s| s.raw_value.clone())
    }

    pub fn kind(&self, name: &str) -> Option<&str> {
        self.families
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.kind.as_str())
    }

    pub fn collector_success(&self, collector: &str) -> Option<f64> {
        self.get(
            "smarthub_scrape_collector_success",
            &[("collector", collector)],
        )
    }
}

pub fn parse(text: &str) -> Result<Parsed, String> {
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("does not end with a newline".into());
    }
    let mut out = Parsed::default();
    let mut seen_families: HashSet<String> = HashSet::new();
    let mut current: Option<String> = None;
    let mut series: HashSet<String> = HashSet::new();
    let mut pending_help: Option<(String, String)> = None;
    for (no, line) in text.lines().enumerate() {
        let err = |m: &str| format!("line {}: {m}: {line:?}", no + 1);
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest
                .split_once(' ')
                .ok_or_else(|| err("HELP without text"))?;
            check_name(name).map_err(|e| err(&e))?;
            if !seen_families.insert(name.to_owned()) {
                return Err(err("family appears twice"));
            }
            pending_help = Some((name.to_owned(), help.to_owned()));
            current = Some(name.to_owned());
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest
                .split_once(' ')
                .ok_or_else(|| err("TYPE without type"))?;
            if !matches!(
                kind,
                "counter" | "gauge" | "histogram" | "summary" | "untyped"
            ) {
                return Err(err("unknown type"));
            }
            let (hname, help) = pending_help
                .take()
                .ok_or_else(|| err("TYPE without HELP before it"))?;
            if hname != name {
                return Err(err("TYPE for another family than HELP"));
            }
            out.families.push(Family {
                name: name.to_owned(),
                help,
                kind: kind.to_owned(),
            });
        } else if line.starts_with('#') {
            return Err(err("stray comment"));
        } else if line.is_empty() {
            return Err(err("empty line"));
        } else {
            let s = sample(line).map_err(|e| err(&e))?;
            if current.as_deref() != Some(s.name.as_str()) {
                return Err(err(
                    "sample outside its family (no HELP/TYPE, or families interleaved)",
                ));
            }
            let key = format!("{}{:?}", s.name, s.labels);
            if !series.insert(key) {
                return Err(err("duplicate series"));
            }
            out.samples.push(s);
        }
    }
    Ok(out)
}

fn check_name(name: &str) -> Result<(), String> {
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
    if ok {
        Ok(())
    } else {
        Err(format!("bad metric name {name:?}"))
    }
}

fn sample(line: &str) -> Result<Sample, String> {
    let name_end = line.find(['{', ' ']).ok_or("no value")?;
    let name = &line[..name_end];
    check_name(name)?;
    let mut labels = BTreeMap::new();
    let mut rest = &line[name_end..];
    if let Some(r) = rest.strip_prefix('{') {
        let mut chars = r.char_indices().peekable();
        let end: usize;
        loop {
            let Some(&(start, c)) = chars.peek() else {
                return Err("unterminated labels".into());
            };
            if c == '}' {
                end = start + 1;
                break;
            }
            let mut key = String::new();
            while let Some(&(_, c)) = chars.peek() {
                if c == '=' {
                    break;
                }
                key.push(c);
                chars.next();
            }
            if !key
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(format!("bad label name {key:?}"));
            }
            chars.next();
            if chars.next().map(|(_, c)| c) != Some('"') {
                return Err("label value not quoted".into());
            }
            let mut value = String::new();
            loop {
                match chars.next() {
                    None => return Err("unterminated label value".into()),
                    Some((_, '"')) => break,
                    Some((_, '\\')) => match chars.next() {
                        Some((_, '\\')) => value.push('\\'),
                        Some((_, '"')) => value.push('"'),
                        Some((_, 'n')) => value.push('\n'),
                        _ => return Err("bad escape in label value".into()),
                    },
                    Some((_, '\n')) => return Err("raw newline in label value".into()),
                    Some((_, c)) => value.push(c),
                }
            }
            if labels.insert(key, value).is_some() {
                return Err("label repeated".into());
            }
            match chars.next() {
                Some((_, ',')) => {}
                Some((i, '}')) => {
                    end = i + 1;
                    break;
                }
                _ => return Err("expected ',' or '}' after a label".into()),
            }
        }
        rest = &r[end..];
    }
    let value = rest.strip_prefix(' ').ok_or("no space before the value")?;
    if value.contains(' ') {
        return Err("timestamps are not expected".into());
    }
    let v = match value {
        "NaN" => f64::NAN,
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse::<f64>().map_err(|_| format!("bad value {v:?}"))?,
    };
    Ok(Sample {
        name: name.to_owned(),
        labels,
        value: v,
        raw_value: value.to_owned(),
    })
}
