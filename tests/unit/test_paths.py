import stat

from app.paths import AppPaths, ensure_private_dir


def test_data_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("LINKDESK_DATA_DIR", str(tmp_path / "from-env"))
    assert AppPaths.resolve().data_dir == tmp_path / "from-env"
    assert AppPaths.resolve(tmp_path / "from-flag").data_dir == tmp_path / "from-flag"
    monkeypatch.delenv("LINKDESK_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert AppPaths.resolve().data_dir == tmp_path / "xdg" / "linkdesk"


def test_private_dir_mode(tmp_path):
    made = ensure_private_dir(tmp_path / "a" / "b")
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700


def test_an_existing_folder_keeps_its_mode(tmp_path):
    chosen = tmp_path / "shared"
    chosen.mkdir(mode=0o755)
    chosen.chmod(0o755)
    ensure_private_dir(chosen)
    assert stat.S_IMODE(chosen.stat().st_mode) == 0o755
