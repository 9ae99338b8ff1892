#!/usr/bin/env bash
# Installs CardGate on this machine (run as root; `make install` calls it after a release build):
#   - the account `cardgate` (no login) that alone owns the databases and the secrets,
#   - the groups cardgate-admin (may use the administration socket), cardgate-audit (may read the history),
#     cardgate-api (may connect to the API; what each member may do is in the configuration) and
#     cardgate-supervisor (the configuration's supervisors),
#   - /etc/cardgate (configuration, root:cardgate 0750), /var/lib/cardgate (state, cardgate:cardgate-audit 0750,
#     secrets in /var/lib/cardgate/secrets 0700), /run/cardgate (sockets; systemd makes it at each start),
#   - /usr/local/bin/cardgate and the systemd unit, hardened (check it: systemd-analyze security cardgate).
# The history's witness file goes on another disk or host (production.toml: /mnt/cardgate-witness): mount it first;
# `cardgate init` creates the file there and gives it to the cardgate account.
# It never overwrites a configuration, a database or a secret. Then: edit /etc/cardgate/cardgate.toml, put the first
# PIN administrator's card in the admin reader, run `cardgate init --config /etc/cardgate/cardgate.toml …` as root
# (the files it makes are given to the cardgate account), and `systemctl enable --now cardgate`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "install: run as root" >&2; exit 1; }
BIN=${CARDGATE_BIN:-.build/release/cardgate}
[ -x "$BIN" ] || { echo "install: $BIN not found; build it first: make release (swift build -c release --static-swift-stdlib --product cardgate)" >&2; exit 1; }
PREFIX=${PREFIX:-/usr/local}
ETC=${ETC:-/etc/cardgate}
STATE=${STATE:-/var/lib/cardgate}
UNIT_DIR=${UNIT_DIR:-/etc/systemd/system}

say() { printf 'install: %s\n' "$*"; }

for group in cardgate-admin cardgate-audit cardgate-api cardgate-supervisor; do
    getent group "$group" >/dev/null || { groupadd --system "$group"; say "group $group created"; }
done
if ! getent passwd cardgate >/dev/null; then
    useradd --system --home-dir "$STATE" --no-create-home --shell /usr/sbin/nologin --user-group cardgate
    say "account cardgate created"
fi
# The service gives its sockets to cardgate-api and cardgate-admin and the history to cardgate-audit: it must be a
# member of each (chown to a group needs membership, and the unit grants no capability).
usermod -a -G cardgate-api,cardgate-admin,cardgate-audit cardgate

install -d -o root -g cardgate -m 0750 "$ETC"
install -d -o cardgate -g cardgate-audit -m 0750 "$STATE"
install -d -o cardgate -g cardgate-audit -m 0750 "$STATE/archive"
install -d -o cardgate -g cardgate -m 0700 "$STATE/secrets"
install -d -o cardgate -g cardgate -m 0755 /run/cardgate
install -o root -g root -m 0755 "$BIN" "$PREFIX/bin/cardgate"
say "$PREFIX/bin/cardgate installed ($(sha256sum "$BIN" | cut -d' ' -f1); add it to the equipment ledger as the approved program)"
if [ ! -e "$ETC/cardgate.toml" ]; then
    install -o root -g cardgate -m 0640 config/production.toml "$ETC/cardgate.toml"
    say "$ETC/cardgate.toml installed from config/production.toml: edit its readers before cardgate init"
else
    say "$ETC/cardgate.toml kept"
fi
install -D -o root -g root -m 0644 config/systemd/cardgate.service "$UNIT_DIR/cardgate.service"
if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
say "systemd unit installed: $UNIT_DIR/cardgate.service"
if ! mountpoint -q /mnt/cardgate-witness 2>/dev/null; then
    say "the history's witness: mount ANOTHER disk (or a share of another host) at /mnt/cardgate-witness, or set [history] witness-file elsewhere, before cardgate init"
fi
say "next: edit $ETC/cardgate.toml, then: cardgate init --config $ETC/cardgate.toml --reader … --operator-id … --name …"
