"""Packaging metadata: the desktop entry and AppStream metainfo pass their own validators, agree
with each other and with pyproject.toml, and the icons generated from resources/linkdesk.svg are
all there, well formed, and drawn from the current source."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from configparser import ConfigParser
from pathlib import Path

import pytest

from app.icons import DESKTOP_ID, SIZES, icon_files

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
DESKTOP = PACKAGING / f"{DESKTOP_ID}.desktop"
METAINFO = PACKAGING / f"{DESKTOP_ID}.metainfo.xml"


def _make_icons():
    spec = importlib.util.spec_from_file_location("make_icons", ROOT / "scripts" / "make_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _desktop_entry() -> dict[str, str]:
    parser = ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in desktop entries
    parser.read(DESKTOP, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def _validator(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian: apt-get install "
                    f"{'desktop-file-utils' if name == 'desktop-file-validate' else 'appstream'}); .ci/run installs it")
    return path


def test_desktop_entry_passes_desktop_file_validate():
    result = subprocess.run([_validator("desktop-file-validate"), str(DESKTOP)],
                            capture_output=True, text=True, timeout=60)
    # desktop-file-validate prints errors and warnings alike; a clean file prints nothing.
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr


def test_metainfo_passes_appstreamcli_validate():
    result = subprocess.run([_validator("appstreamcli"), "validate", "--no-net", str(METAINFO)],
                            capture_output=True, text=True, timeout=60)
    issues = [line for line in result.stdout.splitlines() if line[:2] in ("E:", "W:")]
    assert result.returncode == 0, result.stdout + result.stderr
    assert issues == []


def test_desktop_entry_metainfo_and_entry_points_agree():
    entry = _desktop_entry()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    metainfo = ET.parse(METAINFO).getroot()

    assert entry["Icon"] == DESKTOP_ID
    assert entry["Exec"].split()[0] == "linkdesk-gui" and entry["Terminal"] == "false"
    assert "linkdesk-gui" in project["gui-scripts"]
    assert "linkdesk" in project["scripts"]  # a console script: the CLI prints on Windows too
    assert "linkdesk" not in project.get("gui-scripts", {})
    assert metainfo.findtext("id") == DESKTOP_ID
    assert metainfo.findtext("launchable") == DESKTOP.name
    assert {b.text for b in metainfo.iter("binary")} == {"linkdesk", "linkdesk-gui"}
    # AppStream wants screenshots as web addresses; the project has none published, so none
    # are listed (the comment in the file says why), rather than local paths that fail.
    assert metainfo.find("screenshots") is None


def test_the_theme_icon_the_desktop_entry_names_exists_at_every_size():
    make_icons = _make_icons()
    hicolor = PACKAGING / "icons" / "hicolor"
    for size in make_icons.PNG_SIZES:
        png = (hicolor / f"{size}x{size}" / "apps" / f"{DESKTOP_ID}.png").read_bytes()
        assert make_icons.png_size(png) == (size, size)
    svg = hicolor / "scalable" / "apps" / f"{DESKTOP_ID}.svg"
    assert svg.read_bytes() == (ROOT / "resources" / "linkdesk.svg").read_bytes()


def test_runtime_icons_load_from_the_package():
    make_icons = _make_icons()
    found = icon_files()
    assert [size for size, _ in found] == list(SIZES) == list(make_icons.PNG_SIZES)
    for size, path in found:
        assert make_icons.png_size(path.read_bytes()) == (size, size)


def test_ico_and_icns_hold_a_png_of_each_size():
    make_icons = _make_icons()
    ico = make_icons.read_ico((PACKAGING / "linkdesk.ico").read_bytes())
    assert [size for size, _ in ico] == list(make_icons.ICO_SIZES)
    icns = make_icons.read_icns((PACKAGING / "linkdesk.icns").read_bytes())
    assert [(kind, make_icons.png_size(png)) for kind, png in icns] == \
        [(kind, (size, size)) for kind, size in make_icons.ICNS_TYPES]


def test_ico_and_icns_readers_refuse_a_truncated_file():
    make_icons = _make_icons()
    ico = (PACKAGING / "linkdesk.ico").read_bytes()
    icns = (PACKAGING / "linkdesk.icns").read_bytes()
    with pytest.raises(ValueError):
        make_icons.read_ico(ico[:-10])
    with pytest.raises(ValueError):
        make_icons.read_icns(icns[:-10])


def test_committed_icons_are_drawn_from_the_current_source(qapp):
    """Each committed PNG matches a fresh rendering of resources/linkdesk.svg (within a small
    tolerance, so that a newer Qt's anti-aliasing does not fail it): an edited SVG without a
    re-run of scripts/make_icons.py fails here."""
    from PySide6.QtGui import QImage

    make_icons = _make_icons()
    svg = (ROOT / "resources" / "linkdesk.svg").read_bytes()
    for size in (16, 48, 256):
        fresh = QImage.fromData(make_icons.render_png(svg, size))
        committed = QImage(str(ROOT / "app" / "icons" / f"linkdesk-{size}.png"))
        assert committed.size() == fresh.size()
        far = 0
        for y in range(size):
            for x in range(size):
                a, b = fresh.pixelColor(x, y), committed.pixelColor(x, y)
                if max(abs(a.red() - b.red()), abs(a.green() - b.green()),
                       abs(a.blue() - b.blue()), abs(a.alpha() - b.alpha())) > 24:
                    far += 1
        assert far <= size * size // 100, f"{size} px: {far} pixels differ"


def test_installed_entry_points_load_the_cli_and_the_window():
    from importlib.metadata import entry_points

    from app.cli import gui_main, main

    console = {ep.name: ep for ep in entry_points(group="console_scripts") if ep.name.startswith("linkdesk")}
    gui = {ep.name: ep for ep in entry_points(group="gui_scripts") if ep.name.startswith("linkdesk")}
    if "linkdesk-gui" not in gui:
        pytest.skip("the installed metadata predates pyproject.toml: pip install -e . again (make does)")
    assert set(console) == {"linkdesk"} and set(gui) == {"linkdesk-gui"}
    assert console["linkdesk"].load() is main
    assert gui["linkdesk-gui"].load() is gui_main


def test_gui_entry_point_takes_only_the_window_options(capsys):
    from app.cli import gui_main

    with pytest.raises(SystemExit) as exit_info:
        gui_main(["link", "acct_1LdCustomDue0001"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: link acct_1LdCustomDue0001" in capsys.readouterr().err


@pytest.mark.slow
def test_the_window_names_its_desktop_entry_and_carries_the_icon(tmp_path):
    """run_gui() in a child process, closed at once: the app id is the desktop file's name
    (what Wayland compositors match) and the window icon has every size from the package."""
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from app.ui.shell.app import GuiOptions, run_gui\n"
        "status = run_gui(GuiOptions(sandbox=True))\n"
        "app = QApplication.instance()\n"
        "print(app.desktopFileName())\n"
        "print(' '.join(str(s.width()) for s in app.windowIcon().availableSizes()))\n"
        "sys.exit(status)\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LINKDESK_TEST_CLOSE_AFTER_MS="0",
               LINKDESK_DATA_DIR=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("STRIPE_API_KEY", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    name, sizes = result.stdout.splitlines()[-2:]
    assert name == DESKTOP_ID == DESKTOP.stem
    assert sorted(int(s) for s in sizes.split()) == list(SIZES)


@pytest.mark.slow
def test_make_desktop_entry_installs_a_valid_entry_and_every_icon(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    prefix = tmp_path / "prefix"
    result = subprocess.run(["make", "-s", "desktop-entry", f"PREFIX={prefix}", "EXEC=/opt/linkdesk/linkdesk-gui"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    installed = prefix / "share" / "applications" / DESKTOP.name
    lines = installed.read_text(encoding="utf-8").splitlines()
    assert "Exec=/opt/linkdesk/linkdesk-gui" in lines and "TryExec=/opt/linkdesk/linkdesk-gui" in lines
    assert (prefix / "share" / "metainfo" / METAINFO.name).read_bytes() == METAINFO.read_bytes()
    for size in SIZES:
        assert (prefix / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{DESKTOP_ID}.png").is_file()
    assert (prefix / "share" / "icons" / "hicolor" / "scalable" / "apps" / f"{DESKTOP_ID}.svg").is_file()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(installed)], capture_output=True, text=True, timeout=60)
        assert check.returncode == 0 and check.stdout.strip() == "", check.stdout


def test_the_debian_package_depends_on_every_library_readme_lists():
    """The .deb's Depends and README's "System packages" name the same Qt libraries: a library
    added to one and not the other would leave an apt install without it."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("### System packages", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    listed = {word for word in block.replace("\\", " ").split() if word.startswith("lib")}
    control = (PACKAGING / "build-deb.sh").read_text(encoding="utf-8")
    depends_line = next(line for line in control.splitlines() if line.startswith("Depends:"))
    depends = {re.sub(r"\s*\(.*\)", "", item).strip() for item in depends_line[len("Depends:"):].split(",")}
    assert listed and listed <= depends, sorted(listed - depends)
    assert "libc6" in depends  # with the glibc the frozen build needs
    assert re.search(r"libc6 \(>= 2\.\d+\)", depends_line)
