#!/usr/bin/env bash
# Removes the build machine's folders from the RUNPATH (or RPATH) of every ELF file in a
# bundle, keeping only the $ORIGIN-relative entries its own layout needs. A libpython
# built from source carries e.g. /usr/local/lib or a pyenv folder: on a user's machine
# the loader would look there first, and load whatever another Python left there.
#
#   bash packaging/linux/drop_build_runpaths.sh BUNDLE      (called by build.sh)
#
# Needs patchelf (installed with apt when missing and run as root). Prints one line.
set -euo pipefail
bundle=$1
if ! command -v patchelf >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq patchelf >/dev/null
  else
    echo "drop_build_runpaths: needs patchelf (apt-get install patchelf)" >&2
    exit 2
  fi
fi
changed=0 dropped=()
while IFS= read -r -d '' file; do
  head -c 4 "$file" 2>/dev/null | grep -q 'ELF' || continue
  runpath=$(patchelf --print-rpath "$file" 2>/dev/null) || continue
  [ -n "$runpath" ] || continue
  kept=$(tr ':' '\n' <<<"$runpath" | grep '^\$ORIGIN' | paste -sd: - || true)
  [ "$kept" = "$runpath" ] && continue
  if [ -n "$kept" ]; then
    patchelf --set-rpath "$kept" "$file"
  else
    patchelf --remove-rpath "$file"
  fi
  dropped+=("$runpath")
  changed=$((changed + 1))
done < <(find "$bundle" -type f \( -name '*.so*' -o -perm -u+x \) -print0)
echo "runpath: build-machine folders removed from $changed ELF files" \
     "($( (( changed )) && printf '%s\n' "${dropped[@]}" | sort -u | paste -sd' ' -))"
