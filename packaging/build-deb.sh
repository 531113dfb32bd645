#!/usr/bin/env bash
# The single-file Linux download as a Debian package, built from the frozen folder:
#     packaging/build-deb.sh dist/linkdesk VERSION OUT.deb
# /opt/linkdesk holds the folder as PyInstaller made it; /usr/bin/linkdesk and linkdesk-gui point
# into it; the desktop entry, AppStream metainfo and hicolor icons go where desktops look for
# them. Why a .deb rather than an AppImage: an AppImage needs the AppImage runtime (a prebuilt
# ELF from GitHub), which no package registry reachable here provides; dpkg-deb is part of every
# Debian and Ubuntu. packaging/README.md has the trade-offs (and the portable single-file
# executable, `make onefile`).
set -euo pipefail
folder=$1
version=$2
out=$3
[ -x "$folder/linkdesk" ] && [ -x "$folder/linkdesk-gui" ] || { echo "no frozen folder at $folder (make frozen)" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/opt" "$root/usr/bin" "$root/usr/share/applications" "$root/usr/share/metainfo" "$root/DEBIAN"
cp -a "$folder" "$root/opt/linkdesk"
ln -s /opt/linkdesk/linkdesk "$root/usr/bin/linkdesk"
ln -s /opt/linkdesk/linkdesk-gui "$root/usr/bin/linkdesk-gui"
install -m644 "$here/io.github.linkdesk.Linkdesk.desktop" "$root/usr/share/applications/"
install -m644 "$here/io.github.linkdesk.Linkdesk.metainfo.xml" "$root/usr/share/metainfo/"
(cd "$here/icons" && find hicolor -type f -exec install -Dm644 {} "$root/usr/share/icons/{}" \;)

# The libraries the frozen Qt loads from the system (the same list as README's "System packages").
cat > "$root/DEBIAN/control" <<CONTROL
Package: linkdesk
Version: $version
Section: utils
Priority: optional
Architecture: amd64
Maintainer: Linkdesk developers <linkdesk@example.com>
Installed-Size: $(du -sk "$root" | cut -f1)
Depends: libc6 (>= 2.36), libglib2.0-0, libgl1, libegl1, libxkbcommon0, libfontconfig1, libdbus-1-3, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-render-util0, libxcb-shape0, libxkbcommon-x11-0
Recommends: gnome-keyring | kwalletmanager
Homepage: https://github.com/linkdesk/linkdesk
Description: Stripe Connect Account Links at the desk and on the call
 Look a connected account up, create its onboarding or update link, and show the
 single-use URL with a live countdown and a QR code; copy it, or show the QR code
 full screen for a seller at the desk. Comes with a built-in sandbox. Commands:
 linkdesk (command line) and linkdesk-gui (the window).
CONTROL
# Desktops refresh their menus and icon caches when a package adds to them.
cat > "$root/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = "configure" ]; then
    command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
    command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
fi
POSTINST
chmod 755 "$root/DEBIAN/postinst"
dpkg-deb --root-owner-group --build "$root" "$out" >/dev/null
echo "built $out ($(du -h "$out" | cut -f1))"
