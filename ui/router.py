"""Keep app.py the router even for a first visitor who lands on a page's URL, and tell a visitor
when a link carries settings this page does not read.

Streamlit treats a folder named ``pages/`` as its legacy multipage mechanism until some session has
called ``st.navigation``: on a fresh server, a shared link to ``/compare`` would run
``pages/compare.py`` alone, with file-name navigation and without app.py's page config. Each page
calls :func:`ensure_router` first; in that one case it switches Streamlit to app.py's navigation
and reruns, so the same URL is served by app.py.

Streamlit 1.67 has no public API for this: the only public switch is calling ``st.navigation``
(which clears the same flag), and in that first request it runs too late, after Streamlit has
already chosen the legacy page. So the check reads ``PagesManager.uses_pages_directory``; if a
future Streamlit drops the flag, the check does nothing and only the first visitor's sidebar is
affected (tests/test_browser.py would show it).
"""

import streamlit as st

LINK_PARAMS = ("s", "show")  # what share links carry (ui/share.py)


def ensure_router(reads_link: bool = False) -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover
        PagesManager = None
    if PagesManager is not None and getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
    if not reads_link:
        unused_link_warning()


def unused_link_warning(flag: str = "router.link_checked") -> None:
    """A page without link state says that it ignored ``?s=`` / ``?show=`` (once per session)."""
    if st.session_state.get(flag):
        return
    st.session_state[flag] = True
    given = [p for p in LINK_PARAMS if p in st.query_params]
    if given:
        st.warning("This page takes no settings from a link; it ignored " +
                   " and ".join(f"?{p}=" for p in given) + " and shows its defaults.", icon=":material/warning:")
