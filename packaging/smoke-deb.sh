#!/usr/bin/env bash
# Smoke-test the Debian package without installing it system-wide:
#     packaging/smoke-deb.sh OUT.deb
# Checks its metadata and file list, unpacks it into a scratch folder and runs packaging/smoke.sh
# on the unpacked /opt/linkdesk, and validates the desktop entry and metainfo it ships.
set -euo pipefail
deb=$1
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
dpkg-deb --info "$deb" | sed -n 's/^ *\(Package\|Version\|Architecture\|Installed-Size\): /  \1: /p'
contents=$(dpkg-deb --contents "$deb")
for path in ./opt/linkdesk/linkdesk ./opt/linkdesk/linkdesk-gui ./usr/bin/linkdesk ./usr/bin/linkdesk-gui \
            ./usr/share/applications/io.github.linkdesk.Linkdesk.desktop \
            ./usr/share/metainfo/io.github.linkdesk.Linkdesk.metainfo.xml \
            ./usr/share/icons/hicolor/scalable/apps/io.github.linkdesk.Linkdesk.svg \
            ./usr/share/icons/hicolor/256x256/apps/io.github.linkdesk.Linkdesk.png; do
    grep -q " $path\( ->.*\)\?$" <<<"$contents" || { echo "the package lacks $path" >&2; exit 1; }
done
if grep -v ' root/root ' <<<"$contents" | grep -q .; then echo "files not owned by root:" >&2; exit 1; fi
dpkg-deb -x "$deb" "$scratch/root"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$scratch/root/usr/share/applications/io.github.linkdesk.Linkdesk.desktop"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net --pedantic "$scratch/root/usr/share/metainfo/io.github.linkdesk.Linkdesk.metainfo.xml" >/dev/null \
        || appstreamcli validate --no-net "$scratch/root/usr/share/metainfo/io.github.linkdesk.Linkdesk.metainfo.xml"
fi
"$here/smoke.sh" "$scratch/root/opt/linkdesk/linkdesk" "$scratch/root/opt/linkdesk/linkdesk-gui"
echo "package smoke test passed: $deb"
