#!/usr/bin/env bash
# A short scripted day at the city hall, on the virtual rig: `make demo` runs it after installing and building.
#
# The PIN administrator sets up CardGate and issues two cards; an operator unlocks terminal T01, records two
# operations through the local API and pulls the card (the terminal locks); a wrong PIN; an entry and an exit at
# the computer-room door and a refused entry; then the entry book, the day's history and `history verify`.
# Everything lives in run/demo/ (removed at the start of each run); the demo stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CARDGATE_BIN_DIR:-.build/debug}
CG="$BIN/cardgate"
VCARD="$BIN/vcard"
DEMO=run/demo
CONFIG=config/cardgate.toml

export CARDGATE_DATABASE="$PWD/$DEMO/cardgate.sqlite"
export CARDGATE_ARCHIVE_DIR="$PWD/$DEMO/archive"
export CARDGATE_SOCKET="$PWD/$DEMO/api.sock"
export CARDGATE_PEPPER_FILE="$PWD/$DEMO/secrets/pepper"
export CARDGATE_SIGNING_KEY_FILE="$PWD/$DEMO/secrets/history-signing.key"
# The history's witness (another disk in an installation); `cardgate init` creates it.
export CARDGATE_WITNESS_FILE="$PWD/$DEMO/witness/history.witness"
export CARDGATE_ADMIN_SOCKET="$PWD/$DEMO/admin.sock"
export CARDGATE_ACTUATOR_LOG="$PWD/$DEMO/actuator.log"

# vpcd ports of the rig's readers (hardware/readers/readers.list). The admin station has two slots: the
# administrator's own card stays in "00 00" for the whole session; the card being issued goes into "00 01".
ADMIN_READER="CardGate Admin 00 00"; ADMIN_PORT=35963
SUBJECT_READER="CardGate Admin 00 01"; SUBJECT_PORT=35964
T01_READER="CardGate T01 00 00"; T01_PORT=35965
T02_PORT=35967
DOOR_IN_READER="CardGate Room1 In 00 00"; DOOR_IN_PORT=35969
DOOR_OUT_READER="CardGate Room1 Out 00 00"; DOOR_OUT_PORT=35971

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

# insert CARD PORT [flags]: puts a virtual card in a reader until `remove` (the card stays while vcard runs).
declare -A inserted
insert() {
    local card=$1 port=$2; shift 2
    "$VCARD" insert --card "$DEMO/cards/$card.json" --port "$port" --no-stdin "$@" >"$DEMO/vcard-$card.log" 2>&1 &
    inserted[$card]=$!
    pids+=($!)
    for _ in $(seq 100); do grep -qs inserted "$DEMO/vcard-$card.log" && break; sleep 0.05; done
    sleep 0.6   # pcscd notices a new card within ~0.5 s
}
remove() {
    kill "${inserted[$1]}" 2>/dev/null || true
    wait "${inserted[$1]}" 2>/dev/null || true
    sleep 0.6
}
# api METHOD PATH [JSON]: one request to the local API over its Unix socket.
api() {
    local method=$1 path=$2 body=${3:-}
    if [ -n "$body" ]; then
        curl -sS --unix-socket "$CARDGATE_SOCKET" -X "$method" -H 'Content-Type: application/json' --data-binary @- \
            "http://cardgate$path" <<<"$body"
    else
        curl -sS --unix-socket "$CARDGATE_SOCKET" -X "$method" "http://cardgate$path"
    fi
    echo
}
# wait_state TERMINAL STATE: waits until the terminal reports STATE.
wait_state() {
    for _ in $(seq 100); do
        api GET "/v1/terminals/$1" | grep -q "\"state\":\"$2\"" && return 0
        sleep 0.1
    done
    echo "demo: terminal $1 did not reach $2" >&2; return 1
}

step "Setting up the rig in $DEMO"
rm -rf "$DEMO"
mkdir -p "$DEMO/cards"
hardware/pcscd-virtual.sh start
for card in admin yamada sato; do "$VCARD" create --out "$DEMO/cards/$card.json" >/dev/null; done
say "three virtual PIV cards: admin, yamada, sato"

step "The PIN administrator installs CardGate with their own card (cardgate init, as root or the service account)"
insert admin $ADMIN_PORT
printf '480215\n' | "$CG" init --config "$CONFIG" --reader "$ADMIN_READER" --operator-id pa-001 --name "鈴木 一郎" \
    --role administrator --role operations-manager --pin-stdin
say "in this small demo pa-001 also holds the administrator (ledger, rooms) and operations-manager (terminal assignment) roles"
say "the rig runs the daemon as root; an installation runs it as the cardgate account (hardware/install.sh)"
# When the cardgate account exists on this machine (hardware/install.sh ran), init gave it the files; the rig's
# daemon runs as root and accepts only secret files of its own, so the rig's files go back to root.
if [ "$(id -u)" = 0 ] && id -u cardgate >/dev/null 2>&1; then chown -R 0:0 "$DEMO"; fi

step "cardgate serve: the daemon alone owns the databases, the secrets and the readers"
"$CG" serve --config "$CONFIG" >"$DEMO/serve.log" 2>&1 &
serve_pid=$!
pids+=($serve_pid)
for _ in $(seq 200); do [ -S "$CARDGATE_SOCKET" ] && [ -S "$CARDGATE_ADMIN_SOCKET" ] && break; sleep 0.05; done
[ -S "$CARDGATE_SOCKET" ] || { cat "$DEMO/serve.log"; echo "demo: cardgate serve did not start" >&2; exit 1; }
sleep 1   # the readers are listed and approved

step "The administrator logs in at the admin station: the daemon reads the card and keeps the session"
printf '480215\n' | "$CG" admin login --config "$CONFIG" --pin-stdin
say "the session lasts while the card stays in the admin reader"

step "Equipment ledger: the approved readers, terminals and this program"
for reader in "$T01_READER" "CardGate T02 00 00" "$DOOR_IN_READER" "$DOOR_OUT_READER"; do
    "$CG" ledger add --config "$CONFIG" "$reader" --kind reader --name "IC card reader" --location "本庁舎" >/dev/null
done
"$CG" ledger add --config "$CONFIG" T01 --kind terminal --name "窓口端末1" --location "市民課" >/dev/null
"$CG" ledger add --config "$CONFIG" T02 --kind terminal --name "窓口端末2" --location "市民課" >/dev/null
"$CG" ledger add --config "$CONFIG" cardgate --kind program --name "CardGate" --location "本庁舎" \
    --program-version "$("$CG" --version)" --sha256 "$(sha256sum "$CG" | cut -d' ' -f1)" >/dev/null
"$CG" ledger list --config "$CONFIG"

step "Two operators, their cards (issued in the second slot), and the computer room"
"$CG" operator add --config "$CONFIG" op-0001 --name "山田 太郎" --role operator --terminal T01 --terminal T02 >/dev/null
"$CG" operator add --config "$CONFIG" op-0002 --name "佐藤 花子" --role operator --terminal T02 >/dev/null
insert yamada $SUBJECT_PORT
printf '735912\n' | "$CG" card issue --config "$CONFIG" --operator op-0001 --pin-stdin
printf '735912\n604418\n' | "$CG" pin change --config "$CONFIG" --pin-stdin
say "山田 changed the initial PIN at first use"
remove yamada
insert sato $SUBJECT_PORT
printf '918273\n' | "$CG" card issue --config "$CONFIG" --operator op-0002 --pin-stdin
printf '918273\n551937\n' | "$CG" pin change --config "$CONFIG" --pin-stdin
remove sato
"$CG" room add --config "$CONFIG" R1 --name "電算室" >/dev/null
"$CG" room grant --config "$CONFIG" R1 --operator op-0001 --days mon,tue,wed,thu,fri,sat,sun --hours 00:00-23:59 --mode card+pin >/dev/null
"$CG" room grants --config "$CONFIG" --room R1
step "The administrator pulls the card: the session ends at once"
remove admin
"$CG" operator list --config "$CONFIG" || say "(refused, as it should be: the session ended with the card)"
api GET /v1/terminals/T01

step "山田 inserts the card at T01 and enters the PIN"
insert yamada $T01_PORT
wait_state T01 awaiting-pin
api POST /v1/terminals/T01/pin '{"pin":"604418"}'
wait_state T01 unlocked
say "two operations on resident records, recorded with the session's operator:"
api POST /v1/terminals/T01/operations '{"action":"resident.view","target":"R-2026-000123"}'
api POST /v1/terminals/T01/operations '{"action":"certificate.issue","target":"R-2026-000123"}'

step "山田 pulls the card: T01 locks at once"
remove yamada
wait_state T01 locked
api GET /v1/terminals/T01
say "actuator log:"; sed 's/^/     /' "$CARDGATE_ACTUATOR_LOG"
say "an operation now is refused (423):"
api POST /v1/terminals/T01/operations '{"action":"resident.view","target":"R-2026-000123"}'

step "佐藤 at T02 with a wrong PIN"
insert sato $T02_PORT
wait_state T02 awaiting-pin
api POST /v1/terminals/T02/pin '{"pin":"111999"}'
remove sato

step "The computer room: 山田 enters and leaves (card + PIN), 佐藤 is refused"
insert yamada $DOOR_IN_PORT
sleep 0.5
api POST /v1/doors/D1/pin '{"pin":"604418"}'
remove yamada
api GET /v1/rooms/R1/occupancy
insert yamada $DOOR_OUT_PORT
sleep 1
remove yamada
insert sato $DOOR_IN_PORT
sleep 1
remove sato
api GET /v1/rooms/R1/occupancy

step "Stopping the gateway (SIGTERM: every terminal locked, system.stop recorded)"
kill -TERM $serve_pid
wait $serve_pid || true

step "入退室管理簿: the entry/exit book of the computer room today"
today=$(date -u +%Y-%m-%d); tomorrow=$(date -u -d tomorrow +%Y-%m-%d)
"$CG" history report entry-book --config "$CONFIG" --room R1 --from "$today" --to "$tomorrow"

step "The day's history"
"$CG" history query --config "$CONFIG" --from "$today"

step "cardgate history verify"
# The daemon signed a last checkpoint at shutdown; `checkpoint` signs any event still after it (none here). Then
# verify must say intact and witnessed (exit 0): 2 would be a tail no witnessed checkpoint covers, 1 damage.
"$CG" history checkpoint --config "$CONFIG"
status=0
"$CG" history verify --config "$CONFIG" || status=$?
if [ "$status" -ne 0 ]; then echo "demo: history verify exited $status (0 expected: intact and witnessed)" >&2; exit 1; fi
say "the witness holds the same checkpoint as the database:"
"$CG" history status --config "$CONFIG" | sed 's/^/     /'

step "Done"
hardware/pcscd-virtual.sh stop
say "everything the demo made is in $DEMO/; run it again with: make demo"
