#!/usr/bin/env bash
# Smoke test of a built bundle (or an installed one), headless:
#
#   bash packaging/smoke.sh [BUNDLE_FOLDER]     # default: packaging/dist/gradient-playground
#                                              # installed .deb: /opt/gradient-playground
#
# 1. the command line through both launchers: --version, `playground-cli` alone prints
#    its help, `playground-cli train --example spiral --epochs 2 --save`, `inspect`;
# 2. the window (QT_QPA_PLATFORM=offscreen) started by the `playground` launcher with no
#    argument: the default example (spiral) trains 3 epochs and is saved;
# 3. the launcher again with that file as its argument, as a double-click starts it: it
#    opens at epoch 3; then the window closes and the launcher exits 0.
# Steps 2 and 3 run packaging/smoke_driver.py inside the bundle's own Python (see
# launchers/window.py), which acts on the real window from inside its event loop.
# Everything runs in a temporary home (settings, autosaves, log), removed at the end.
# Prints the time from starting the launcher to its first window; exits 0 if all passed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bundle=$(cd "${1:-$here/dist/gradient-playground}" && pwd)
gui=$bundle/playground cli=$bundle/playground-cli
[ -x "$gui" ] && [ -x "$cli" ] || { echo "smoke: no launchers in $bundle (build it:" \
                                          "bash packaging/build.sh)" >&2; exit 2; }
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data \
  XDG_CACHE_HOME=$home/cache XDG_STATE_HOME=$home/state \
  GRADIENT_PLAYGROUND_AUTOSAVE=$home/autosave GRADIENT_PLAYGROUND_LOG=$home/playground.log \
  QT_QPA_PLATFORM=offscreen
step() { echo "smoke: $*"; }
limit() { if command -v timeout >/dev/null; then timeout 600 "$@"; else "$@"; fi; }  # macOS has none
fail() { echo "smoke: FAILED: $*" >&2; [ -f "$home/playground.log" ] && tail -20 "$home/playground.log" >&2; exit 1; }

# 1. the command line
"$cli" --version | grep -q "playground" || fail "playground-cli --version"
"$gui" --version | grep -q "playground" || fail "playground --version"
set +e; help=$("$cli" 2>&1); code=$?; set -e
[ "$code" = 2 ] && grep -q "usage:" <<<"$help" || fail "playground-cli alone should print its help"
"$cli" train --example spiral --epochs 2 --save "$home/cli.pgsession" >/dev/null \
  || fail "playground-cli train"
"$cli" inspect "$home/cli.pgsession" | grep -qi "epoch" || fail "playground-cli inspect"
step "command line: both launchers answer, train and inspect work"

# 2. the window: train the default example, save
session=$home/smoke.pgsession
start=$(date +%s.%N)
out=$(GRADIENT_PLAYGROUND_DRIVER=$here/smoke_driver.py limit "$gui" train "$session" 3) \
  || fail "the window did not train and save (exit $?): $out"
shown=$(sed -n 's/^first-window-at //p' <<<"$out")
awk -v a="$start" -v b="$shown" 'BEGIN { printf "smoke: first window %.2f s after the launcher started\n", b - a }'
grep "^smoke:" <<<"$out" || true
[ -s "$session" ] || fail "no session was saved"

# 3. the launcher with the file as its argument
out=$(GRADIENT_PLAYGROUND_DRIVER=$here/smoke_driver.py limit "$gui" reopen "$session" 3) \
  || fail "the launcher did not reopen the session (exit $?): $out"
grep "^smoke:" <<<"$out" || true
step "passed"
