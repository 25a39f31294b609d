#!/bin/sh
# Short, bounded fuzz run of every target, for CI: a fixed number of
# executions per target, so the time is bounded whatever the machine.
#
#   fuzz/ci.sh              # every target, its fixed number of executions
#   fuzz/ci.sh wan     # some targets
#   FUZZ_RUNS=0 fuzz/ci.sh  # only replay the seeds and regressions
#   FUZZ_RUNS=1000000 fuzz/ci.sh  # the same number for every target
#   FUZZ_SECONDS=900 fuzz/ci.sh   # a long run: time-bounded instead
#   FUZZ_SEED=7 fuzz/ci.sh        # another fixed seed (the default is 1)
#
# Installs what it needs (the nightly toolchain and cargo-fuzz). Each target
# starts from its seeds: the files in fuzz/seeds/<target>/, the test fixtures
# listed below, and fuzz/regressions/<target>/ (inputs that once failed, kept
# so they are replayed on every run). A failing input is left in
# fuzz/artifacts/<target>/ and the script exits non-zero.
set -eu

cd "$(dirname "$0")/.."
root=$(pwd)

seconds=${FUZZ_SECONDS:-}

# Executions per target in CI: about 10-20 s each on one core (their speeds
# differ a hundredfold: QuickJS starts a runtime per input, and the
# device-list target builds arrays of up to 64 Ki elements, and redact reads
# every input with three page readers twice).
runs_for() {
    case $1 in
    lan_lists) echo 8000 ;;
    redact) echo 3000 ;;
    # Up to 64 scrapes recorded and two documents rendered per input.
    overview) echo 20000 ;;
    literal_round_trip | lan_js | lan_readers) echo 10000 ;;
    literal | lan_data) echo 50000 ;;
    *) echo 100000 ;;
    esac
}

# Fixtures that seed each target, as globs relative to the repository.
seeds_for() {
    case $1 in
    wan | xml)
        echo "tests/fixtures/hub/wan_*.xml tests/fixtures/captures/*/*wan_conn*.xml" ;;
    literal | lan_data | lan_js | lan_readers)
        echo "tests/fixtures/hub/lan_*.js tests/fixtures/captures/*/*.js tests/fixtures/captures/*/*/*.js" ;;
    owl) echo "tests/fixtures/hub/owl_*.js tests/fixtures/captures/*/*owl*.js tests/fixtures/captures/*/*/*owl*.js" ;;
    status) echo "tests/fixtures/hub/status_*.js" ;;
    redact) echo "tests/fixtures/hub/*.js tests/fixtures/hub/*.xml tests/fixtures/captures/*/*.js tests/fixtures/captures/*/*/*.js tests/fixtures/captures/*/*.xml" ;;
    http_request | percent) echo "" ;;
    # Structure-aware targets build their input from raw bytes; files make
    # poor seeds for them.
    literal_round_trip | lan_lists | exposition | overview) echo "" ;;
    # Responses and DNS answers: no fixtures of either; libFuzzer finds the
    # syntax from the comparisons.
    hub_response | dns_answer) echo "" ;;
    *) echo "fuzz/ci.sh: no seed entry for target $1" >&2; exit 2 ;;
    esac
}

# Per-target libFuzzer options: input size limits that fit what the target
# reads (the HTTP head limit is 8 KiB; pages are bigger).
options_for() {
    case $1 in
    http_request) echo "-max_len=9000" ;;
    dns_answer) echo "-max_len=600" ;;
    wan | xml | literal | lan_data | owl | status | redact) echo "-max_len=20000" ;;
    # QuickJS runs each input in a fresh runtime: larger inputs mostly buy
    # longer compiles.
    lan_js | lan_readers) echo "-max_len=8192" ;;
    *) echo "" ;;
    esac
}

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

targets=${*:-$(cargo +nightly fuzz list)}

start=$(date +%s)
cargo +nightly fuzz build
echo "fuzz/ci.sh: built the targets in $(($(date +%s) - start)) s"

for t in $targets; do
    corpus="$root/fuzz/corpus/$t"
    mkdir -p "$corpus" "fuzz/seeds/$t" "fuzz/regressions/$t"
    for f in $(seeds_for "$t"); do
        [ -f "$f" ] && cp "$f" "$corpus/fixture-$(echo "$f" | tr / _)"
    done
    # The fixed-length run uses a fixed seed, so CI replays the same
    # inputs every time and a red run is one anyone can reproduce; the long,
    # time-bounded runs explore with fresh seeds (FUZZ_SEED overrides both).
    if [ -n "$seconds" ]; then
        limit="-max_total_time=$seconds ${FUZZ_SEED:+-seed=$FUZZ_SEED}"
    else
        limit="-runs=${FUZZ_RUNS:-$(runs_for "$t")} -seed=${FUZZ_SEED:-1}"
    fi
    t0=$(date +%s)
    # -timeout: a single input running this long is a hang (the JavaScript
    # target stops pages after 50 ms). -rss_limit_mb: QuickJS may use 16 MiB
    # per runtime; far more is a leak.
    # shellcheck disable=SC2046,SC2086
    cargo +nightly fuzz run "$t" "$corpus" "fuzz/seeds/$t" "fuzz/regressions/$t" -- \
        $limit -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 $(options_for "$t") \
        2>"fuzz/corpus/$t.log" || {
        tail -40 "fuzz/corpus/$t.log"
        echo "fuzz/ci.sh: $t FAILED; the input is in fuzz/artifacts/$t/" >&2
        exit 1
    }
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz/corpus/$t.log")
    echo "fuzz/ci.sh: $t: ${execs:-?} executions in $(($(date +%s) - t0)) s, no failure"
done
echo "fuzz/ci.sh: all done in $(($(date +%s) - start)) s"
