"""Warmup Lab, installed: the ``warmup-lab`` command starts the app (``python -m warmup_lab`` too).

The app's files (``app.py``, ``pages/``, ``ui/``, ``.streamlit/config.toml``) stay at the top of the
repository, where ``streamlit run app.py`` runs them; the wheel ships a copy of them in
``warmup_lab/app/`` (see ``pyproject.toml``), and :func:`warmup_lab.cli.main` runs that copy.
"""
