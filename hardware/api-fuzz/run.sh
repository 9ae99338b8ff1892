#!/usr/bin/env bash
# `make api-fuzz`: runs the schema-driven API fuzzer Schemathesis against a throw-away CardGate daemon on the virtual
# rig, checking every answer against docs/openapi.yaml, then checks a live event stream of every kind against the same
# document (event-probe.py). Exits non-zero on any failure; stops everything it started.
#
#   1. builds cardgate and vcard (debug; SWIFT_SCRATCH_PATH picks the build folder, default .build);
#   2. installs Schemathesis (pinned) into run/api-fuzz/venv once, with pip;
#   3. makes an installation in a temporary folder, as hardware/demo.sh does: `cardgate init` with a virtual card in
#      the admin reader, then `cardgate serve`, with config/cardgate.toml's paths overridden by CARDGATE_*
#      variables. The rig's daemon runs as root, and root (uid:0) is every terminal's and door's client and a
#      supervisor in that configuration;
#   4. bridges the Unix socket to 127.0.0.1 (unix-bridge.py: the daemon sees the bridge's account, root);
#   5. runs `schemathesis run` with every check (not_a_server_error, status_code_conformance,
#      content_type_conformance, response_headers_conformance, response_schema_conformance, negative_data_rejection,
#      positive_data_acceptance, unsupported_method, allow_header_conformance, …) on positive and negative data in
#      the examples, coverage and fuzzing phases (schemathesis.toml), while a card comes and goes in T02's reader so
#      that event streams carry events; at least API_FUZZ_MIN_CASES (500) generated cases are required;
#   6. runs event-probe.py; checks that the daemon is still running and logged no internal error.
#
# Needs the private pcscd of the rig (hardware/pcscd-virtual.sh): started if it is not running, and then stopped at
# the end; left running if it was. Logs and reports of the last run: run/api-fuzz/last/.
# Environment: API_FUZZ_EXAMPLES (cases per operation and phase, default 60), API_FUZZ_SEED (a fixed seed),
# API_FUZZ_MIN_CASES (default 500), API_FUZZ_SPEC (another document, for comparing), SWIFT, SWIFT_SCRATCH_PATH,
# API_FUZZ_SKIP_BUILD=1 (use what is built).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=hardware/api-fuzz
SWIFT=${SWIFT:-swift}
SCRATCH=${SWIFT_SCRATCH_PATH:-.build}
SCHEMATHESIS_VERSION=4.32.5
VENV=run/api-fuzz/venv
LAST=run/api-fuzz/last
SPEC=${API_FUZZ_SPEC:-docs/openapi.yaml}
CONFIG=config/cardgate.toml
EXAMPLES=${API_FUZZ_EXAMPLES:-60}
MIN_CASES=${API_FUZZ_MIN_CASES:-500}
ADMIN_READER="CardGate Admin 00 00"; ADMIN_PORT=35963
T02_PORT=35967

say() { printf '\033[1mapi-fuzz:\033[0m %s\n' "$*"; }
fail() { printf '\033[1mapi-fuzz: FAILED:\033[0m %s\n' "$*" >&2; exit 1; }

# --- 1. build ---------------------------------------------------------------------------------------------------
if [ "${API_FUZZ_SKIP_BUILD:-0}" != 1 ]; then
    say "building cardgate and vcard ($SCRATCH)"
    "$SWIFT" build --scratch-path "$SCRATCH" --product cardgate
    "$SWIFT" build --scratch-path "$SCRATCH" --product vcard
fi
BIN=$("$SWIFT" build --scratch-path "$SCRATCH" --show-bin-path)
CG="$BIN/cardgate"; VCARD="$BIN/vcard"
[ -x "$CG" ] && [ -x "$VCARD" ] || fail "cardgate or vcard is not built in $BIN"

# --- 2. Schemathesis ----------------------------------------------------------------------------------------------
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    say "installing Schemathesis $SCHEMATHESIS_VERSION into $VENV"
    if ! python3 -c 'import ensurepip' 2>/dev/null; then
        SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
        $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv
    fi
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# --- 3. a throw-away installation ----------------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/cardgate-fuzz.XXXXXX)
rm -rf "$LAST"; mkdir -p "$LAST" "$WORK/cards"
export CARDGATE_DATABASE="$WORK/cardgate.sqlite"
export CARDGATE_ARCHIVE_DIR="$WORK/archive"
export CARDGATE_SOCKET="$WORK/api.sock"
export CARDGATE_ADMIN_SOCKET="$WORK/admin.sock"
export CARDGATE_PEPPER_FILE="$WORK/secrets/pepper"
export CARDGATE_SIGNING_KEY_FILE="$WORK/secrets/history-signing.key"
export CARDGATE_WITNESS_FILE="$WORK/witness/history.witness"
export CARDGATE_ACTUATOR_LOG="$WORK/actuator.log"

pids=()
started_pcscd=0
serve_pid=""
cleanup() {
    local rc=$?
    set +e
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    [ -f "$WORK/serve.log" ] && cp "$WORK/serve.log" "$LAST/"
    rm -rf "$WORK"
    [ "$started_pcscd" = 1 ] && hardware/pcscd-virtual.sh stop >/dev/null
    [ $rc = 0 ] || echo "api-fuzz: logs and reports in $LAST/" >&2
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! hardware/pcscd-virtual.sh status >/dev/null 2>&1; then
    say "starting the private pcscd"
    hardware/pcscd-virtual.sh start
    started_pcscd=1
fi

# insert CARD PORT: a virtual card in a reader until its process is killed; prints the pid.
insert() {
    "$VCARD" insert --card "$WORK/cards/$1.json" --port "$2" --no-stdin >"$WORK/vcard-$1-$2.log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    for _ in $(seq 100); do grep -qs inserted "$WORK/vcard-$1-$2.log" && break; sleep 0.05; done
    grep -qs inserted "$WORK/vcard-$1-$2.log" || fail "vcard could not insert $1 on port $2: $(cat "$WORK/vcard-$1-$2.log")"
    sleep 0.6   # pcscd notices a card within ~0.5 s
    inserted_pid=$pid
}

# The rig's configuration, with the account that owns the files set to root (the daemon runs as root here, and a
# machine may have a `cardgate` account from hardware/install.sh), no audit group, and the rig's actuator script by
# its absolute path. root (uid:0) is every terminal's and door's client and a supervisor in it.
sed -e 's|^account = "cardgate"|account = "root"|' -e 's|^audit-group = "cardgate-audit"|audit-group = ""|' \
    -e "s|\"\./rig-command.sh\"|\"$ROOT/config/rig-command.sh\"|" "$CONFIG" >"$WORK/cardgate.toml"
CONFIG="$WORK/cardgate.toml"
grep -q '^account = "root"' "$CONFIG" && grep -q '^supervisors = \["uid:0"\]' "$CONFIG" \
    || fail "config/cardgate.toml changed: its [service] account or api.supervisors line is not what run.sh expects"

say "installing CardGate in $WORK (cardgate init with a virtual card in the admin reader)"
"$VCARD" create --out "$WORK/cards/admin.json" >/dev/null
"$VCARD" create --out "$WORK/cards/visitor.json" >/dev/null
insert admin $ADMIN_PORT
admin_card=$inserted_pid
printf '480215\n' | "$CG" init --config "$CONFIG" --reader "$ADMIN_READER" --operator-id pa-001 --name "鈴木 一郎" \
    --role administrator --pin-stdin >"$WORK/init.log" 2>&1 || { cat "$WORK/init.log"; fail "cardgate init failed"; }

say "starting cardgate serve (as $(id -un), uid $(id -u))"
"$CG" serve --config "$CONFIG" >"$WORK/serve.log" 2>&1 &
serve_pid=$!
pids+=("$serve_pid")
for _ in $(seq 400); do [ -S "$CARDGATE_SOCKET" ] && [ -S "$CARDGATE_ADMIN_SOCKET" ] && break; sleep 0.05; done
[ -S "$CARDGATE_SOCKET" ] || { cat "$WORK/serve.log"; fail "cardgate serve did not start"; }

say "approving the rig's terminals and readers in the equipment ledger (an administrative session)"
printf '480215\n' | "$CG" admin login --config "$CONFIG" --pin-stdin >>"$WORK/init.log" 2>&1 \
    || { cat "$WORK/init.log"; fail "cardgate admin login failed"; }
for reader in "CardGate T01 00 00" "CardGate T02 00 00" "CardGate Room1 In 00 00" "CardGate Room1 Out 00 00"; do
    "$CG" ledger add --config "$CONFIG" "$reader" --kind reader --name "IC card reader" --location rig >>"$WORK/init.log" 2>&1
done
for terminal in T01 T02; do
    "$CG" ledger add --config "$CONFIG" $terminal --kind terminal --name "terminal" --location rig >>"$WORK/init.log" 2>&1
done
kill "$admin_card"; wait "$admin_card" 2>/dev/null || true   # the session ends with the card
sleep 1   # the readers are listed again

# --- 4. the TCP bridge ----------------------------------------------------------------------------------------------
python3 "$HERE/unix-bridge.py" "$CARDGATE_SOCKET" "$WORK/bridge.port" 2>"$WORK/bridge.log" &
pids+=($!)
for _ in $(seq 200); do [ -s "$WORK/bridge.port" ] && break; sleep 0.05; done
[ -s "$WORK/bridge.port" ] || fail "the bridge did not start: $(cat "$WORK/bridge.log")"
URL="http://127.0.0.1:$(cat "$WORK/bridge.port")"
curl -fsS "$URL/v1/status" >/dev/null || fail "GET /v1/status through the bridge failed"

# --- 5. Schemathesis --------------------------------------------------------------------------------------------------
# A card comes and goes in T02's reader meanwhile: `reader` and `terminal` events for the streams under test.
(
    card=""
    trap '[ -n "$card" ] && kill "$card" 2>/dev/null; exit 0' TERM
    while true; do
        "$VCARD" insert --card "$WORK/cards/visitor.json" --port $T02_PORT --no-stdin >/dev/null 2>&1 &
        card=$!
        sleep 2 & wait $!
        kill "$card" 2>/dev/null; wait "$card" 2>/dev/null; card=""
        sleep 2 & wait $!
    done
) &
activity=$!
pids+=("$activity")

say "schemathesis run: $SPEC against $URL ($EXAMPLES cases per operation and phase)"
args=(--config-file "$HERE/schemathesis.toml" run "$SPEC" --url "$URL" --max-examples "$EXAMPLES"
      --report junit,ndjson --report-dir "$LAST")
[ -n "${API_FUZZ_SEED:-}" ] && args+=(--seed "$API_FUZZ_SEED")
set +e
"$VENV/bin/schemathesis" --no-color "${args[@]}" 2>&1 | tee "$LAST/schemathesis.txt"
fuzz_rc=${PIPESTATUS[0]}
set -e
kill "$activity" 2>/dev/null; wait "$activity" 2>/dev/null || true
sleep 1

cases=$("$VENV/bin/python" "$HERE/count-cases.py" "$LAST"/ndjson-*.ndjson --summary "$LAST/answers.txt")
say "schemathesis: exit status $fuzz_rc, $cases generated test cases (statuses answered: $LAST/answers.txt)"

# --- 6. the event stream, and the daemon's health ----------------------------------------------------------------
set +e
"$VENV/bin/python" "$HERE/event-probe.py" "$CARDGATE_SOCKET" "$SPEC" "$VCARD" "$WORK/cards/visitor.json" "$WORK" \
    | tee "$LAST/event-probe.txt"
probe_rc=${PIPESTATUS[0]}
set -e

failures=()
[ "$fuzz_rc" = 0 ] || failures+=("schemathesis reported failures (exit status $fuzz_rc)")
[ "$cases" -ge "$MIN_CASES" ] || failures+=("only $cases test cases, fewer than $MIN_CASES")
[ "$probe_rc" = 0 ] || failures+=("the event stream does not match $SPEC")
kill -0 "$serve_pid" 2>/dev/null || failures+=("cardgate serve died during the run")
# The rig stays inside its limits: a 429 or a 5xx means a leak (streams or connections not given back) or a fault.
if grep -E '^ +[0-9]+  [A-Z]+ (429|5[0-9][0-9])' "$LAST/answers.txt" >"$WORK/limits.txt"; then
    failures+=("answers the rig should never give: $(tr -s ' ' <"$WORK/limits.txt" | head -5 | tr '\n' ';')")
fi
if grep -E 'request failed|error=internal' "$WORK/serve.log" >"$WORK/internal.txt"; then
    failures+=("the daemon logged internal errors: $(head -3 "$WORK/internal.txt")")
fi
if [ ${#failures[@]} -gt 0 ]; then
    for failure in "${failures[@]}"; do echo "api-fuzz: FAILED: $failure" >&2; done
    exit 1
fi
say "OK: $cases test cases, every check passed, 0 failures; the event stream matches $SPEC"
