#!/usr/bin/env bash
# Builds the one-folder bundle and the installers for this OS, and measures them.
#
#   bash packaging/build.sh            # Linux: bundle, .tar.gz, .deb (+ NSIS script check)
#                                      # macOS: bundle, .app, .dmg; Windows (Git Bash):
#                                      # bundle and the NSIS installer
#   bash packaging/build.sh --bundle-only   # the bundle alone (what smoke.sh needs; CI)
#
# Python: $PLAYGROUND_PYTHON if set (a Python with the project's dependencies installed),
# else .venv/bin/python, made by .ci/setup when absent. PyInstaller (the `package`
# extra of pyproject.toml) is installed into it when missing; on Linux the .deb tools
# (dpkg-deb, desktop-file-validate) are installed with apt when missing and run as root.
# Output: packaging/dist/ (the bundle, the archives, the installers); work files in
# packaging/build/; the measured figures in packaging/build/report.txt.
# Trims: after PyInstaller has collected the bundle, files the app never loads are
# deleted, each measured (see TRIMS below).
set -euo pipefail
cd "$(dirname "$0")/.."
bundle_only=false
case "${1:-}" in
  "") ;; --bundle-only) bundle_only=true ;;
  *) echo "build: unknown option $1 (the only one is --bundle-only)" >&2; exit 2 ;;
esac
ROOT=$PWD
BUILD=$ROOT/packaging/build
DIST=$ROOT/packaging/dist
BUNDLE=$DIST/gradient-playground
REPORT=$BUILD/report.txt
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
case "$(uname -s)" in
  Linux) os=linux ;; Darwin) os=macos ;; MINGW*|MSYS*|CYGWIN*) os=windows ;;
  *) echo "build: unknown OS $(uname -s)" >&2; exit 2 ;;
esac
started=$(date +%s)
mkdir -p "$BUILD" "$DIST"
: > "$REPORT"
say() { echo "build: $*"; echo "$*" >> "$REPORT"; }
size() { du -sk "$1" | cut -f1; }                 # KiB, as Installed-Size counts
mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }

# ------------------------------------------------------------------- Python
if [ -n "${PLAYGROUND_PYTHON:-}" ]; then
  py=$PLAYGROUND_PYTHON
else
  [ -x .venv/bin/python ] || bash .ci/setup
  py=.venv/bin/python
fi
# PyInstaller at the version .ci/constraints.txt pins (the `package` extra's range), so
# every build uses the one the bundle was tested with; quick when it is already there.
"$py" -m pip install -q --disable-pip-version-check -c .ci/constraints.txt pyinstaller
"$py" -c 'import torch, sys; sys.exit("+cu" in torch.__version__ or torch.version.cuda is not None)' \
  || { echo "build: this Python has a CUDA torch; bundles are built from the CPU wheel" \
            "(a CUDA one makes bundles of several GB)." >&2; exit 2; }
say "PyInstaller $("$py" -m PyInstaller --version), torch $("$py" -c 'import torch; print(torch.__version__)'), $os"

# -------------------------------------------------------------------- icons
QT_QPA_PLATFORM=offscreen "$py" packaging/render_icons.py "$BUILD/icons"

# ------------------------------------------------------------------- bundle
t0=$(date +%s)
rm -rf "$BUNDLE"
"$py" -m PyInstaller --noconfirm --log-level WARN --distpath "$DIST" \
  --workpath "$BUILD/pyinstaller" packaging/playground.spec
before=$(size "$BUNDLE")
say "pyinstaller: $(( $(date +%s) - t0 )) s, bundle $(mib "$before") before trims"

# ------------------------------------------------------------------- trims
# Each: what it is, why the app does not need it, and what deleting it saved. Paths are
# relative to _internal/ (and, on macOS, to the .app's Frameworks and Resources, which
# PyInstaller filled from the same files).
roots=("$BUNDLE/_internal")
app="$DIST/Gradient Playground.app"
[ "$os" = macos ] && roots+=("$app/Contents/Frameworks" "$app/Contents/Resources")
shopt -s extglob nullglob
trim() {  # trim "why" RELATIVE_PATH_OR_GLOB...
  local why=$1 was root rel; shift
  was=$(size "$BUNDLE")
  for root in "${roots[@]}"; do
    for rel in "$@"; do rm -rf "$root"/$rel; done  # $rel unquoted: its glob expands
  done
  say "trim: $why: $(( (was - $(size "$BUNDLE")) / 1024 )) MiB"
}
# torch's C++ test programs and protoc; torch_shm_manager is kept (DataLoader workers).
trim "torch/bin (C++ tests, protoc; torch_shm_manager kept)" 'torch/bin/!(torch_shm_manager*)'
trim "torch/test (torch's own tests)" torch/test
# Libraries of torch's own tests, never loaded by `import torch`.
trim "torch/lib test libraries" 'torch/lib/lib*test*.so' torch/lib/libaoti_custom_ops.so \
  torch/lib/libbackend_with_compiler.so
# Windows' torch ships link-time import libraries beside its DLLs.
trim "torch/lib/*.lib (Windows import libraries, for linking only)" 'torch/lib/*.lib'
# The app has no translations of its own, so Qt's message catalogs are never loaded.
trim "Qt translations (the app installs no translator)" PySide6/Qt/translations \
  PySide6/translations
# Symbol tables for debuggers in torch's libraries (the dynamic symbols stay), as Debian's
# dh_strip does: `strip --strip-unneeded`. Linux only (ELF).
if [ "$os" = linux ] && command -v strip >/dev/null; then
  was=$(size "$BUNDLE")
  strip --strip-unneeded "${roots[0]}"/torch/lib/*.so*
  say "trim: strip --strip-unneeded torch/lib/*.so: $(( (was - $(size "$BUNDLE")) / 1024 )) MiB"
fi
shopt -u extglob nullglob
# The build machine's library folders, recorded as RUNPATH in some libraries (the
# libpython of a Python built from source: /usr/local/lib, a pyenv folder), would make
# an installed app look there first: removed, keeping the $ORIGIN-relative entries the
# bundle's own layout needs (torch's, Qt's).
if [ "$os" = linux ]; then
  bash packaging/linux/drop_build_runpaths.sh "$BUNDLE" | tee -a "$REPORT"
fi
# On macOS, PyInstaller signed the .app (ad hoc) before the trims deleted files inside
# it; a signature that no longer matches makes macOS call a downloaded app damaged. Sign
# it again, as a whole, now that its contents are final.
if [ "$os" = macos ]; then
  codesign --force --deep --sign "${CODESIGN_IDENTITY:--}" "$app"
  codesign --verify --deep --strict "$app"
  say "codesign: the .app signed again after the trims (${CODESIGN_IDENTITY:-ad hoc})"
fi
after=$(size "$BUNDLE")
say "bundle: $(mib "$after") after trims ($(( (before - after) / 1024 )) MiB trimmed)"

# ------------------------------------------------------------- per OS
if $bundle_only; then
  :
elif [ "$os" = linux ]; then
  arch=$(uname -m)
  t0=$(date +%s)
  tarball=$DIST/gradient-playground-$VERSION-linux-$arch.tar.gz
  tar -C "$DIST" -czf "$tarball" gradient-playground
  say "tar.gz: $(mib "$(size "$tarball")") in $(( $(date +%s) - t0 )) s ($(basename "$tarball"))"
  bash packaging/linux/make_deb.sh "$BUNDLE" "$BUILD" "$DIST" "$VERSION" | tee -a "$REPORT"
  if command -v makensis >/dev/null; then
    bash packaging/windows/check_nsis.sh "$BUILD/nsis-check" | tee -a "$REPORT"
  else
    say "NSIS check SKIPPED: makensis is not installed (apt-get install nsis), so the" \
        "Windows installer script was not compiled"
  fi
elif [ "$os" = macos ]; then
  dmg=$DIST/gradient-playground-$VERSION-macos-$(uname -m).dmg
  rm -f "$dmg"
  # The disk image holds the app and a link to /Applications: drag one onto the other.
  stage=$BUILD/dmg
  rm -rf "$stage"; mkdir -p "$stage"
  ditto "$app" "$stage/$(basename "$app")"     # ditto keeps the signature's attributes
  ln -s /Applications "$stage/Applications"
  hdiutil create -volname "Gradient Playground" -srcfolder "$stage" -ov -format UDZO "$dmg"
  say "dmg: $(mib "$(size "$dmg")")"
else
  makensis -V2 -DVERSION="$VERSION" -DBUNDLE="$(cygpath -w "$BUNDLE")" \
    -DOUTFILE="$(cygpath -w "$DIST/gradient-playground-$VERSION-windows-setup.exe")" \
    -DICON="$(cygpath -w "$BUILD/icons/gradient-playground.ico")" packaging/windows/installer.nsi
  say "installer: $(mib "$(size "$DIST/gradient-playground-$VERSION-windows-setup.exe")")"
fi
say "build: $(( $(date +%s) - started )) s in all"
