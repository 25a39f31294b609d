use std::net::TcpListener;
use std::process::ExitCode;

use smarthub_exporter::cli::{self, Command, Exit};
use smarthub_exporter::hub::Hub;
use smarthub_exporter::overview::About;
use smarthub_exporter::replay::Replay;
use smarthub_exporter::scrape::{self, Scraper};
use smarthub_exporter::source::Source;
use smarthub_exporter::{dump, logging, server, signals};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let program = args.first().map_or("smarthub-exporter", String::as_str);
    let rest: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    let env_host = std::env::var(cli::HOST_ENV).ok();
    let config = match cli::parse_command(program, &rest, env_host.as_deref()) {
        Ok(Command::Serve(c)) => c,
        Ok(Command::Dump(options)) => {
            return match dump::run(&options, &mut std::io::stderr()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("dump: {e}");
                    ExitCode::from(e.code())
                }
            };
        }
        Err(exit) => {
            match &exit {
                Exit::Help(text) | Exit::Version(text) => println!("{}", text.trim_end()),
                Exit::Usage(text) => eprintln!("{}", text.trim_end()),
            }
            return ExitCode::from(exit.code() as u8);
        }
    };

    if let Err(e) = logging::init(config.log_level, config.syslog) {
        eprintln!("cannot start logging: {e}");
        return ExitCode::FAILURE;
    }
    if let Err(e) = signals::install() {
        log::error!("cannot install signal handlers: {e}");
        return ExitCode::FAILURE;
    }

    let listener = match TcpListener::bind(config.listen) {
        Ok(l) => l,
        Err(e) => {
            log::error!("cannot listen on {}: {e}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    // The bound address, not the configured one: `--listen 127.0.0.1:0`
    // picks a free port, and this line is how a supervisor or test learns it.
    let bound = listener.local_addr().unwrap_or(config.listen);
    // Ready (the scrape worker running) before the line that says so.
    let (source, reading) = match &config.replay {
        None => (
            Source::Hub(Hub::new(&config.hub)),
            format!("reading hub {}", config.hub),
        ),
        // Said at start, so a replay is never taken for a live hub.
        Some(r) => (
            Source::Replay(Replay::new(r.clone())),
            match r.advance {
                None => format!("replaying the hub recorded in {} (no hub is contacted; pages as recorded)", r.shown),
                Some(n) => format!(
                    "replaying the hub recorded in {} (no hub is contacted; not live: byte counters advance by multiples of {n} bytes a scrape, as its MANIFEST asks)",
                    r.shown
                ),
            } + &match r.day {
                None => String::new(),
                Some(m) => format!(
                    "; first, as its MANIFEST asks, {m} scrapes of the recording dated one a minute over the past {m} minutes, to fill the history at / (requests wait for them)"
                ),
            },
        ),
    };
    let about = About {
        version: env!("CARGO_PKG_VERSION"),
        hub: match &config.replay {
            Some(r) => format!("replay of {}", r.shown),
            // `host:port`, as log lines name it.
            None => source.name(),
        },
        poll_seconds: config.poll.map_or(0, |p| p.as_secs()),
    };
    let scraper = Scraper::new(
        source,
        scrape::Config {
            timeout: config.timeout,
            collectors: config.collectors.clone(),
        },
    );
    let options = server::Options {
        cache_ttl: config.cache_ttl,
        poll: config.poll,
        about,
        day: config.replay.as_ref().and_then(|r| r.day),
    };
    let server = match server::Server::new(listener, scraper, options) {
        Ok(s) => s,
        Err(e) => {
            log::error!("cannot start the server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let names: Vec<&str> = config.collectors.iter().map(|c| c.name).collect();
    log::info!(
        "smarthub-exporter {} listening on {}, {reading} (collectors: {}; timeout {}s; {})",
        env!("CARGO_PKG_VERSION"),
        bound,
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        },
        config.timeout.as_secs(),
        match config.poll {
            None => "no polls".to_owned(),
            Some(p) => format!("polls every {}s when not scraped", p.as_secs()),
        },
    );
    if let Err(e) = server.run() {
        log::error!("server stopped: {e}");
    }
    ExitCode::FAILURE
}
