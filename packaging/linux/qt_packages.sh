#!/usr/bin/env bash
# Prints the Debian packages of Qt's runtime libraries, one line, read from the
# qt_packages list of .ci/setup so that the .deb's Depends and the CI machines agree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list=$(sed -n '/^qt_packages=(/,/^)/p' "$here/../../.ci/setup" | sed '1d;$d' | xargs)
[ -n "$list" ] || { echo "qt_packages: no qt_packages list in .ci/setup" >&2; exit 2; }
echo "$list"
