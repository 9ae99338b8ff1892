#!/bin/sh
# The virtual rig's stand-in for the lock, unlock and door actuator commands: appends one line with the time and the
# arguments to $CARDGATE_ACTUATOR_LOG (default: run/actuator.log beside config/). Real installations configure real
# commands in cardgate.toml instead.
set -eu
log="${CARDGATE_ACTUATOR_LOG:-$(dirname "$0")/../run/actuator.log}"
mkdir -p "$(dirname "$log")"
printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" "$*" >> "$log"
