#!/usr/bin/env bash
# The .deb: the bundle under /opt/gradient-playground, the launchers `playground` and
# `playground-cli` on PATH (/usr/bin symlinks), the desktop entry, the icon at the
# hicolor sizes, the MIME type application/x-pgsession (*.pgsession) with the app as its
# handler, and Depends on the C library the bundle needs and Qt's runtime libraries
# (the list .ci/setup installs).
#
#   bash packaging/linux/make_deb.sh BUNDLE BUILD DIST VERSION    (called by build.sh)
set -euo pipefail
bundle=$1 build=$2 dist=$3 version=$4
here=$(cd "$(dirname "$0")" && pwd)
name=gradient-playground

if ! command -v dpkg-deb >/dev/null || ! command -v desktop-file-validate >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev desktop-file-utils >/dev/null
  else
    echo "make_deb: needs dpkg-deb and desktop-file-validate (apt-get install dpkg-dev" \
         "desktop-file-utils)" >&2
    exit 2
  fi
fi
desktop-file-validate "$here/$name.desktop"

# Depends: the C library at the version the bundle's own files need (measured from
# them, not written by hand), and Qt's runtime libraries, read from .ci/setup so the two
# lists cannot drift.
glibc=$(bash "$here/glibc_needed.sh" "$bundle")
qt_packages=$(bash "$here/qt_packages.sh")
depends="libc6 (>= $glibc), $(echo "$qt_packages" | sed 's/ /, /g')"

root=$build/deb
rm -rf "$root"
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
  "$root/usr/share/mime/packages"
# Hard links when the build folder allows them: the bundle is hundreds of MB.
cp -al "$bundle" "$root/opt/$name" 2>/dev/null || cp -a "$bundle" "$root/opt/$name"
ln -s "/opt/$name/playground" "$root/usr/bin/playground"
ln -s "/opt/$name/playground-cli" "$root/usr/bin/playground-cli"
install -m 644 "$here/$name.desktop" "$root/usr/share/applications/$name.desktop"
install -m 644 "$here/$name-mime.xml" "$root/usr/share/mime/packages/$name.xml"
for png in "$build"/icons/$name-*.png; do
  px=${png##*-}; px=${px%.png}
  install -D -m 644 "$png" "$root/usr/share/icons/hicolor/${px}x${px}/apps/$name.png"
done
install -D -m 644 "$build/icons/$name.svg" "$root/usr/share/icons/hicolor/scalable/apps/$name.svg"
install -m 755 "$here/postinst" "$here/postrm" "$root/DEBIAN/"

installed=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Section: education
Priority: optional
Architecture: $(dpkg --print-architecture)
Installed-Size: $installed
Depends: $depends
Recommends: xdg-utils, shared-mime-info, desktop-file-utils
Maintainer: Gradient Playground <gradient-playground@users.noreply.github.com>
Homepage: https://github.com/gradient-playground/gradient-playground
Description: learn how neural networks are trained by gradient descent
 A desktop playground: pick a data set, stack layers, choose an optimizer and a
 schedule, and watch the loss fall, epoch by epoch or one update at a time. Every
 run can be paused, saved (.pgsession) and continued exactly where it stopped.
 Self-contained: Python, PyTorch (CPU) and Qt are inside /opt/$name.
CONTROL

deb=$dist/${name}_${version}_$(dpkg --print-architecture).deb
t0=$(date +%s)
# xz (dpkg-deb's default) at level 6 with every core: the smallest .deb.
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" -z"${DEB_LEVEL:-6}" \
  --threads-max="$(nproc)" --build "$root" "$deb" >/dev/null
echo "deb: $(du -k "$deb" | awk '{printf "%.0f MiB", $1/1024}'), installed size" \
     "$(awk -v k="$installed" 'BEGIN {printf "%.0f MiB", k/1024}'), packed in" \
     "$(( $(date +%s) - t0 )) s ($(basename "$deb"))"
