#!/usr/bin/env bash
# Compiles installer.nsi with makensis on Linux against a stand-in bundle (empty
# playground.exe, playground-cli.exe and _internal/), so a broken script fails here and
# not first on Windows. The real installer is made on Windows from the real bundle
# (build.sh there; .github/workflows/package.yml).
#
#   bash packaging/windows/check_nsis.sh WORK_FOLDER
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1
rm -rf "$work"
mkdir -p "$work/bundle/_internal"
: > "$work/bundle/playground.exe"
: > "$work/bundle/playground-cli.exe"
echo "stand-in" > "$work/bundle/_internal/readme.txt"
icon=$here/../build/icons/gradient-playground.ico
extra=()
[ -f "$icon" ] && extra=(-DICON="$icon")
# makensis reads the script's `\` paths as given: a Linux path works as the bundle.
makensis -V2 -DVERSION=0.1.0 -DBUNDLE="$work/bundle" -DOUTFILE="$work/setup-check.exe" \
  "${extra[@]}" "$here/installer.nsi"
echo "nsis: installer.nsi compiles with makensis $(makensis -VERSION) (stand-in bundle;" \
     "$(du -k "$work/setup-check.exe" | cut -f1) KiB)"
