"""pip install: the wheel builds, installs into a fresh venv, imports warmup_core from there (not from this
checkout) and its ``warmup-lab`` command starts the app."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def requirement_lines(path: Path) -> list[str]:
    lines = [ln.split("#")[0].strip() for ln in path.read_text().splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("-r")]


def test_pyproject_dependencies_match_requirements_txt():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base = requirement_lines(ROOT / "requirements.txt")
    torch = [r for r in base if r.startswith("torch")]
    assert sorted(project["dependencies"]) == sorted(r for r in base if r not in torch)
    assert project["optional-dependencies"]["train"] == torch  # the pinned CPU torch
    dev = requirement_lines(ROOT / "requirements-dev.txt")
    assert sorted(project["optional-dependencies"]["dev"]) == sorted(torch + dev)
    assert project["scripts"]["warmup-lab"] == "warmup_lab.cli:main"


def test_cli_help_and_where_from_the_checkout():
    from warmup_lab import cli

    assert cli.app_dir() == ROOT
    help_text = cli.parser().format_help()
    assert all(flag in help_text for flag in ("--port", "--headless", "--where"))
    assert any(f.startswith("--browser.gatherUsageStats=") for f in cli.config_flags(ROOT))


SHIPPED = """
import importlib, pkgutil, warmup_core
from importlib import resources
names = [m.name for m in pkgutil.walk_packages(warmup_core.__path__, "warmup_core.") if ".training" not in m.name]
for n in names:
    importlib.import_module(n)  # warmup_core.configs, .predict, .libraries, ... (training needs the [train] extra)
print("ok" if {"warmup_core.configs", "warmup_core.predict", "warmup_core.libraries.torch"} <= set(names) else names)
data = resources.files("warmup_core") / "data" / "multi_power_law"
print("ok" if (data / "LICENSE").is_file() and any((data / "curves").iterdir()) else "no data")
from warmup_core.predict import data as d
print("ok" if d.DATA_DIR.is_dir() and str(d.DATA_DIR).startswith(warmup_core.__path__[0]) else d.DATA_DIR)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_starts_the_app(tmp_path):
    src, wheels = tmp_path / "src", tmp_path / "wheels"
    # build from a copy, so the checkout gets no build/ or egg-info; --no-build-isolation: with the setuptools
    # already installed (no download)
    junk = shutil.ignore_patterns(".git", "*.egg-info", "__pycache__", ".venv", ".hypothesis", ".pytest_cache")
    top = {"build", "dist", "data", "artifacts"}  # the checkout's own run and build output

    def ignore(folder, names):
        return set(junk(folder, names)) | (top & set(names) if Path(folder) == ROOT else set())

    shutil.copytree(ROOT, src, ignore=ignore)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheels), str(src)], check=True, cwd=tmp_path, timeout=300)
    (wheel,) = wheels.glob("warmup_lab-*.whl")
    venv = tmp_path / "venv"
    # --system-site-packages: numpy, streamlit... come from this environment; warmup_core only from the wheel
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)], check=True,
                   cwd=tmp_path, timeout=300)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run([str(py), "-c", "import warmup_core, warmup_core.libraries as L; from warmup_core import "
                            "compat; print(warmup_core.__file__); print(len(compat.available()))"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True, timeout=120)
    path, count = where.stdout.split()
    assert Path(path).is_relative_to(venv) and not Path(path).is_relative_to(ROOT), path
    assert int(count) > 0
    # every sub-package and the shipped data (predict's curves and fit, with their licence) came with the wheel
    shipped = subprocess.run([str(py), "-c", SHIPPED], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=120)
    assert shipped.returncode == 0, shipped.stdout + shipped.stderr
    assert shipped.stdout.split() == ["ok"] * 3, shipped.stdout

    exe = venv / "bin" / "warmup-lab"
    help_text = subprocess.run([str(exe), "--help"], cwd=tmp_path, env=env, capture_output=True, text=True,
                               check=True, timeout=120).stdout
    assert "Warmup Lab" in help_text
    app = Path(subprocess.run([str(exe), "--where"], cwd=tmp_path, env=env, capture_output=True, text=True,
                              check=True, timeout=120).stdout.strip())
    assert app.is_relative_to(venv) and (app / "app.py").is_file()
    for folder in ("pages", "ui"):  # every page (predict, train, ...) and widget module travels with the app
        names = [sorted(p.name for ext in ("*.py", "*.html") for p in (top / folder).glob(ext)) for top in (app, ROOT)]
        assert names[0] == names[1], folder

    # the installed copy of the app runs its default page without an exception (imports resolve from the venv)
    run = ("import sys; from streamlit.testing.v1 import AppTest; sys.path.insert(0, sys.argv[1]); "
           "at = AppTest.from_file(sys.argv[1] + '/app.py', default_timeout=120).run(); "
           "print('EXC', [e.message for e in at.exception]); import warmup_core; print(warmup_core.__file__)")
    out = subprocess.run([str(py), "-c", run, str(app)], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert "EXC []" in out.stdout, out.stdout + out.stderr
    assert str(venv) in out.stdout.splitlines()[-1]

    port = _free_port()
    proc = subprocess.Popen([str(exe), "--headless", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, healthy = time.monotonic() + 120, False
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    healthy = r.read().decode().strip() == "ok"
                    break
            except OSError:
                time.sleep(0.5)
        assert healthy, "the installed app did not answer /_stcore/health"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            assert re.search(r"<title>", r.read().decode(), re.I)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
