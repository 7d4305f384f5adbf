"""Keep app.py the router even for a first visitor who lands on a page's URL.

Streamlit treats a folder named ``pages/`` as its legacy multipage mechanism until some session has
called ``st.navigation``: on a fresh server, a shared link to ``/compare`` would run
``pages/compare.py`` alone, with file-name navigation and without app.py's page config. Each page
calls :func:`ensure_router` first; in that one case it switches Streamlit to app.py's navigation
and reruns, so the same URL is served by app.py.
"""

import streamlit as st


def ensure_router() -> None:
    try:  # an internal flag; if a future Streamlit drops it, the legacy fallback is merely cosmetic
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
