"""``warmup-lab``: start the Warmup Lab app with Streamlit, from an installed package or a checkout."""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def app_dir() -> Path:
    """Where ``app.py`` is: the copy shipped in the wheel, else the checkout this package sits in."""
    for d in (HERE / "app", HERE.parent):
        if (d / "app.py").is_file() and (d / "pages").is_dir():
            return d
    raise FileNotFoundError(f"Warmup Lab's app.py is neither in {HERE / 'app'} nor in {HERE.parent}")


def config_flags(d: Path) -> list[str]:
    """The app's ``.streamlit/config.toml`` as command-line flags: Streamlit reads that file from the
    working directory only, and an installed app is run from anywhere."""
    path = d / ".streamlit" / "config.toml"
    if not path.is_file():
        return []
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    return [f"--{section}.{key}={value}" for section, values in config.items() for key, value in values.items()]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="warmup-lab",
        description="Start Warmup Lab (explore, compare, learn and train learning-rate warmup schedules) in "
                    "the browser. Everything runs on embedded defaults: no server to set up, no data to download.",
        epilog="Other options are passed to `streamlit run` (e.g. --server.address 0.0.0.0). The Train page "
               "needs torch: pip install 'warmup-lab[train]'.")
    p.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    p.add_argument("--headless", action="store_true", help="do not open a browser window")
    p.add_argument("--where", action="store_true", help="print the folder of the app's files and exit")
    return p


def main(argv: list[str] | None = None) -> int:
    args, extra = parser().parse_known_args(argv)
    d = app_dir()
    if args.where:
        print(d)
        return 0
    from streamlit.web import cli as streamlit_cli

    sys.argv = ["streamlit", "run", str(d / "app.py"), f"--server.port={args.port}",
                f"--server.headless={str(args.headless).lower()}", *config_flags(d), *extra]
    return streamlit_cli.main()
