#!/usr/bin/env bash
# Smoke test of a built bundle (or an installed one), headless: every command of the
# command line and every tool of the window, from the bundle's own Python, Qt and torch.
#
#   bash packaging/smoke.sh [BUNDLE_FOLDER]     # default: packaging/dist/gradient-playground
#                                              # installed .deb: /opt/gradient-playground
#   SMOKE_SHOTS=DIR bash packaging/smoke.sh    # also keep the window's screenshots in DIR
#
# 1. the command line: both launchers answer --version and --help, `playground-cli`
#    alone prints its help; train --save, inspect, spec, datasets, sweep, search (2
#    trials, the default storage), lr-find, descend, race;
# 2. the window (QT_QPA_PLATFORM=offscreen) started by the `playground` launcher with no
#    argument: the default example (spiral) trains 3 epochs and is saved;
# 3. the launcher again with that file as its argument, as a double-click starts it: it
#    opens at epoch 3; then the window closes and the launcher exits 0;
# 4. the window's tools, each once: the optimizer lab (each tab), the LR finder, a search
#    of 2 trials on the default storage, a sweep, a run with each view shown; then
#    File > Quit mid-run asks once and ends the process.
# Steps 2-4 run packaging/smoke_driver.py inside the bundle's own Python (see
# launchers/window.py), which acts on the real window from inside its event loop.
# Everything runs in a temporary home (settings, autosaves, studies, log), removed at the
# end. Prints each step and the time from starting the launcher to its first window;
# exits 0 if all passed.
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
cd "$home"  # nothing is written where the command starts but what it is told to
for launcher in "$cli" "$gui"; do
  "$launcher" --version | grep -q "playground" || fail "$(basename "$launcher") --version"
  "$launcher" --help | grep -q "usage:" || fail "$(basename "$launcher") --help"
done
set +e; help=$("$cli" 2>&1); code=$?; set -e
[ "$code" = 2 ] && grep -q "usage:" <<<"$help" || fail "playground-cli alone should print its help"
step "both launchers answer --version and --help"
run() {  # run "what it shows" PATTERN COMMAND...: the command works and prints PATTERN
  local what=$1 pattern=$2 out; shift 2
  out=$("$cli" "$@" 2>&1) || fail "playground-cli $* (exit $?): $(tail -5 <<<"$out")"
  grep -qiE "$pattern" <<<"$out" || fail "playground-cli $*: no '$pattern' in: $(tail -5 <<<"$out")"
  step "playground-cli $1 ($what)"
}
run "trained, saved" "epoch" train --example spiral --epochs 2 --save "$home/cli.pgsession"
[ -s "$home/cli.pgsession" ] || fail "playground-cli train --save wrote no file"
run "read the saved run" "epoch" inspect "$home/cli.pgsession"
run "an example's spec" '"spiral"' spec --example spiral
run "the data sets" "digits" datasets
run "2 runs" "completed" sweep --example xor --epochs 2 --vary lr=0.01,0.1
run "2 trials on the default storage" "best trial" search --example xor --epochs 2 --trials 2 \
  --space lr=1e-3..1:log
# the default storage: playground.search.db in the app's data folder (the CLI says where)
[ -n "$(find "$home" -name playground.search.db -size +0)" ] ||
  fail "the search wrote no study to its default storage"
run "a suggestion" "suggested lr" lr-find --example xor
run "a descent" "iterations" descend --function "x**2" --max-iter 20
run "a race" "sgd" race --surface bowl --steps 20
# Commands added since this list was written: each at least loads and shows its help
# (add a real run of it above).
tested=" train inspect spec datasets sweep search lr-find descend race "
commands=$("$cli" --help | grep -o '{[^}]*}' | head -1 | tr -d '{}' | tr ',' ' ')
[ -n "$commands" ] || fail "playground-cli --help lists no commands"
for command in $commands; do
  [[ $tested == *" $command "* ]] || run "its help: a command newer than this test" "usage:" \
    "$command" --help
done

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

# 4. every tool of the window once, then File > Quit mid-run
shots=${SMOKE_SHOTS:-$home/shots}
out=$(GRADIENT_PLAYGROUND_DRIVER=$here/smoke_driver.py limit "$gui" tour "$shots" 3) \
  || fail "the tour of the window failed (exit $?): $out"
grep "^smoke:" <<<"$out" || true
step "passed"
