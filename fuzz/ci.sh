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
# its row in TARGETS names (and a page target its collector's), and
# fuzz/regressions/<target>/ (inputs that once failed, kept so they are
# replayed on every run). A failing input is left in
# fuzz/artifacts/<target>/ and the script exits non-zero.
set -eu

cd "$(dirname "$0")/.."
root=$(pwd)

seconds=${FUZZ_SECONDS:-}

# One row per target: the executions of a CI run, the fixtures that seed it
# (globs relative to the repository, comma-separated), and its libFuzzer
# options; "-" for none. The executions make each target about 10-20 s on one
# core (their speeds differ a hundredfold: QuickJS starts a runtime per input,
# the device-list target builds arrays of up to 64 Ki elements, redact reads
# every input with three page readers twice, overview records up to 64
# scrapes and renders two documents per input). -max_len fits what the target
# reads: the HTTP head limit is 8 KiB, pages are bigger, and larger inputs to
# QuickJS mostly buy longer compiles.
#
# In the seeds, "page" is the fixtures of the collector the target is named
# for (`<collector>` or `<collector>_*`): tests/fixtures/hub/<collector>.* and
# tests/fixtures/hub/<collector>_*, so a new fixture seeds its collector's
# targets without a word here. The
# `collectors` target (every collector of the table on each input) is
# seeded with every fixture and capture, so a new collector's are in it too.
# Structure-aware targets (literal_round_trip, lan_lists, exposition,
# overview) build
# their input from raw bytes, which files seed poorly; for responses and DNS
# answers there are no fixtures, and libFuzzer finds the syntax from the
# comparisons.
TARGETS='
# target            runs    seeds                                                                                  options
collectors          5000    tests/fixtures/hub/*,tests/fixtures/captures/*/*,tests/fixtures/captures/*/*/*         -max_len=20000
wan                 100000  page,tests/fixtures/captures/*/*wan_conn*.xml                                          -max_len=20000
xml                 100000  tests/fixtures/hub/*.xml,tests/fixtures/captures/*/*wan_conn*.xml                      -max_len=20000
percent             100000  -                                                                                      -
literal             50000   tests/fixtures/hub/*.js,tests/fixtures/captures/*/*.js,tests/fixtures/captures/*/*/*.js -max_len=20000
literal_round_trip  10000   -                                                                                      -
lan_lists           8000    -                                                                                      -
lan_data            50000   page,tests/fixtures/captures/*/*.js,tests/fixtures/captures/*/*/*.js                   -max_len=20000
lan_js              10000   page,tests/fixtures/captures/*/*.js,tests/fixtures/captures/*/*/*.js                   -max_len=8192
lan_readers         10000   page,tests/fixtures/captures/*/*.js,tests/fixtures/captures/*/*/*.js                   -max_len=8192
http_request        100000  -                                                                                      -max_len=9000
exposition          100000  -                                                                                      -
status              100000  page                                                                                   -max_len=20000
owl                 100000  page,tests/fixtures/captures/*/*owl*.js,tests/fixtures/captures/*/*/*owl*.js           -max_len=20000
hub_response        100000  -                                                                                      -
dns_answer          100000  -                                                                                      -max_len=600
overview            20000   -                                                                                      -
redact              3000    tests/fixtures/hub/*.js,tests/fixtures/hub/*.xml,tests/fixtures/captures/*/*.js,tests/fixtures/captures/*/*/*.js,tests/fixtures/captures/*/*.xml -max_len=20000
'

# The row of target $1, without its name: "runs seeds options".
row() {
    printf '%s\n' "$TARGETS" | awk -v t="$1" '$1 == t { print $2, $3, $4; n++ } END { exit n != 1 }' || {
        echo "fuzz/ci.sh: target $1 has no row (or several) in TARGETS" >&2
        return 2
    }
}

# The globs of target $1's seeds, "page" spelt out.
seed_globs() {
    for glob in $(echo "$2" | tr , ' '); do
        case $glob in
        -) ;;
        page) echo "tests/fixtures/hub/${1%%_*}.* tests/fixtures/hub/${1%%_*}_*" ;;
        *) echo "$glob" ;;
        esac
    done
}

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

targets=${*:-$(cargo +nightly fuzz list)}
for t in $targets; do
    row "$t" >/dev/null
done

start=$(date +%s)
cargo +nightly fuzz build
echo "fuzz/ci.sh: built the targets in $(($(date +%s) - start)) s"

for t in $targets; do
    r=$(row "$t")
    # shellcheck disable=SC2086
    set -- $r
    runs=$1 seeds=$2 options=$3
    [ "$options" = - ] && options=
    corpus="$root/fuzz/corpus/$t"
    mkdir -p "$corpus" "fuzz/seeds/$t" "fuzz/regressions/$t"
    # The globs are expanded here, unquoted.
    # shellcheck disable=SC2046
    for f in $(seed_globs "$t" "$seeds"); do
        [ -f "$f" ] && cp "$f" "$corpus/fixture-$(echo "$f" | tr / _)"
    done
    # The fixed-length run uses a fixed seed, so CI replays the same
    # inputs every time and a red run is one anyone can reproduce; the long,
    # time-bounded runs explore with fresh seeds (FUZZ_SEED overrides both).
    if [ -n "$seconds" ]; then
        limit="-max_total_time=$seconds ${FUZZ_SEED:+-seed=$FUZZ_SEED}"
    else
        limit="-runs=${FUZZ_RUNS:-$runs} -seed=${FUZZ_SEED:-1}"
    fi
    t0=$(date +%s)
    # -timeout: a single input running this long is a hang (the JavaScript
    # target stops pages after 50 ms). -rss_limit_mb: QuickJS may use 16 MiB
    # per runtime; far more is a leak.
    # shellcheck disable=SC2046,SC2086
    cargo +nightly fuzz run "$t" "$corpus" "fuzz/seeds/$t" "fuzz/regressions/$t" -- \
        $limit -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 $options \
        2>"fuzz/corpus/$t.log" || {
        tail -40 "fuzz/corpus/$t.log"
        echo "fuzz/ci.sh: $t FAILED; the input is in fuzz/artifacts/$t/" >&2
        exit 1
    }
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz/corpus/$t.log")
    echo "fuzz/ci.sh: $t: ${execs:-?} executions in $(($(date +%s) - t0)) s, no failure"
done
echo "fuzz/ci.sh: all done in $(($(date +%s) - start)) s"
