"""Build step (used by pyproject.toml only): ship the app's top-level files inside the wheel."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py

APP_FILES = ("app.py", ".streamlit/config.toml")
APP_FOLDERS = ("pages", "ui")  # their *.py and *.html files (ui/live_charts.html)


class BuildPy(build_py):
    """``build_py`` that also copies ``app.py``, ``pages/``, ``ui/`` and ``.streamlit/config.toml`` from the
    repository root into ``warmup_lab/app/`` of the build, where ``warmup-lab`` runs them."""

    def run(self):
        super().run()
        root = Path(__file__).resolve().parent.parent
        target = Path(self.build_lib) / "warmup_lab" / "app"
        files = [root / f for f in APP_FILES]
        files += [p for d in APP_FOLDERS for ext in ("*.py", "*.html") for p in sorted((root / d).glob(ext))]
        for src in files:
            if src.is_file():
                dest = target / src.relative_to(root)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
