"""Shared pieces of the web app: pure figure builders, the URL codec, code export and the
Streamlit widget helpers the pages wire together."""
