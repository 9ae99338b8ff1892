#!/usr/bin/env bash
# Starts, stops or reports a private pcscd whose readers are the virtual vpcd readers listed in
# hardware/readers/readers.list. Usage: hardware/pcscd-virtual.sh start|stop|kill|restart|status
#   stop: SIGTERM, as a service manager would (pcscd takes about 0.4 s per reader to shut down), SIGKILL after 15 s
#   kill: SIGKILL at once, as a crash would (clients see the connection drop immediately)
#
# RUN_DIR (default: <repo>/run/pcscd) holds the generated reader.conf.d, the driver copies, the pid file
# and pcscd's log. Debian's pcscd always listens on /run/pcscd/pcscd.comm, so only one pcscd can run on a
# machine: `start` stops any other pcscd first and says so.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN_DIR=${RUN_DIR:-$(dirname "$here")/run/pcscd}
DRIVER=${VPCD_DRIVER:-/usr/lib/pcsc/drivers/serial/libifdvpcd.so.0.8}
PIDFILE="$RUN_DIR/pcscd.pid"
SOCKET=/run/pcscd/pcscd.comm

render() {
    [ -f "$DRIVER" ] || { echo "pcscd-virtual: vpcd driver $DRIVER not found (apt-get install vsmartcard-vpcd)" >&2; exit 1; }
    rm -rf "$RUN_DIR/reader.conf.d" "$RUN_DIR/drivers"
    mkdir -p "$RUN_DIR/reader.conf.d" "$RUN_DIR/drivers"
    while read -r id rest; do
        case "$id" in ''|'#'*) continue ;; esac
        name=$(sed -E 's/^"([^"]*)".*/\1/' <<<"$rest")
        port=$(awk '{print $NF}' <<<"$rest")
        cp "$DRIVER" "$RUN_DIR/drivers/libifdvpcd-$id.so"
        hex=$(printf '0x%04X' "$port")
        cat > "$RUN_DIR/reader.conf.d/$id" <<CONF
FRIENDLYNAME "$name"
DEVICENAME   /dev/null:$hex
LIBPATH      $RUN_DIR/drivers/libifdvpcd-$id.so
CHANNELID    $hex
CONF
    done < "$here/readers/readers.list"
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
    if running; then echo "pcscd-virtual: already running (pid $(cat "$PIDFILE"))"; return 0; fi
    if pgrep -x pcscd >/dev/null; then
        echo "pcscd-virtual: stopping another pcscd (pid $(pgrep -x pcscd | tr '\n' ' ')): one pcscd per machine" >&2
        pkill -x pcscd || true
        # pcscd 1.9 takes about 0.4 s per reader to shut down: allow 15 s, then force it.
        for _ in $(seq 150); do pgrep -x pcscd >/dev/null || break; sleep 0.1; done
        if pgrep -x pcscd >/dev/null; then
            pkill -9 -x pcscd || true
            for _ in $(seq 50); do pgrep -x pcscd >/dev/null || break; sleep 0.1; done
        fi
    fi
    render
    mkdir -p /run/pcscd
    # A socket left by a killed pcscd would make the readiness check below pass too early; pcscd creates the
    # socket only after its readers are loaded, so a fresh socket means ready.
    pgrep -x pcscd >/dev/null || rm -f "$SOCKET"
    # pcscd outlives whoever starts it, so it keeps none of their open files: a test run started under the machine's
    # readers lock (flock) would otherwise hand the lock to pcscd, which then holds it for ever.
    (
        for fd in $(ls "/proc/$BASHPID/fd"); do
            if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
        done
        exec pcscd --foreground ${PCSCD_FLAGS:-} -c "$RUN_DIR/reader.conf.d"
    ) >"$RUN_DIR/pcscd.log" 2>&1 &
    echo $! > "$PIDFILE"
    for _ in $(seq 100); do
        [ -S "$SOCKET" ] && running && { echo "pcscd-virtual: started (pid $(cat "$PIDFILE")), log $RUN_DIR/pcscd.log"; return 0; }
        sleep 0.1
    done
    echo "pcscd-virtual: pcscd did not come up; its log:" >&2
    cat "$RUN_DIR/pcscd.log" >&2
    exit 1
}

gone() { for _ in $(seq "$2"); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; return 1; }

stop() {
    if running; then
        pid=$(cat "$PIDFILE")
        kill "$pid" 2>/dev/null || true
        if ! gone "$pid" 150; then
            echo "pcscd-virtual: pcscd $pid ignored SIGTERM for 15 s; killing it" >&2
            kill -9 "$pid" 2>/dev/null || true
            gone "$pid" 50 || true
        fi
        echo "pcscd-virtual: stopped"
    fi
    rm -f "$PIDFILE"
}

crash() {
    if running; then
        pid=$(cat "$PIDFILE")
        kill -9 "$pid" 2>/dev/null || true
        gone "$pid" 50 || true
        echo "pcscd-virtual: killed (SIGKILL)"
    fi
    rm -f "$PIDFILE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    kill) crash ;;
    restart) stop; start ;;
    status) if running; then echo "running (pid $(cat "$PIDFILE"))"; else echo "stopped"; exit 3; fi ;;
    *) echo "usage: $0 start|stop|kill|restart|status" >&2; exit 2 ;;
esac
