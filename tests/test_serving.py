"""Serving safely: the project's Streamlit config keeps the app local, XSRF-protected, upload-limited."""

from __future__ import annotations

import tomllib

from conftest import ROOT


def test_streamlit_config_is_safe_by_default():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server = cfg["server"]
    assert server["address"] == "127.0.0.1"
    assert server["enableXsrfProtection"] is True
    assert 0 < server["maxUploadSize"] <= 10
    assert cfg["browser"]["gatherUsageStats"] is False


def test_readme_says_how_to_expose_it_and_what_that_implies():
    readme = (ROOT / "README.md").read_text()
    flat = " ".join(readme.split())
    assert "--server.address 0.0.0.0" in flat and "there is no login" in flat
    first = readme.splitlines()[:6]
    assert any(line.startswith("make run") for line in first) and any(line.startswith("make test") for line in first)


def test_the_app_checks_the_upload_limit_streamlit_enforces():
    import app_view  # the repo root is on sys.path (pytest's pythonpath)

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert app_view.UPLOAD_MAX_MB == cfg["server"]["maxUploadSize"]
