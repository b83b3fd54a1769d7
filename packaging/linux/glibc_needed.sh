#!/usr/bin/env bash
# Prints the newest GLIBC symbol version any ELF file in a folder needs (e.g. 2.36): the
# .deb's `Depends: libc6 (>= ...)`, so apt refuses a system whose C library is too old
# for the bundle instead of installing an app that cannot start.
#
#   bash packaging/linux/glibc_needed.sh BUNDLE       (called by make_deb.sh)
set -euo pipefail
folder=$1
newest=$(find "$folder" -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
  | { xargs -0 -r objdump -T 2>/dev/null || true; } \
  | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' | sort -uV | tail -1)
[ -n "$newest" ] || { echo "glibc_needed: no ELF file in $folder needs GLIBC" >&2; exit 1; }
echo "$newest"
