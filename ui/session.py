"""Small typed handles on ``st.session_state``: a page names its state once, as a :class:`Slot`,
instead of spelling string keys in many places.

There is one way to give state a default (:meth:`Slot.get` fills it the first time) and one way to
change it (:meth:`Slot.set`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import streamlit as st

T = TypeVar("T")


def default(key: str, value: Any) -> Any:
    """The one way to default session state: ``value`` the first time, the stored value after."""
    if key not in st.session_state:
        st.session_state[key] = value
    return st.session_state[key]


@dataclass(frozen=True)
class Slot(Generic[T]):
    """One named piece of page state with its default."""

    key: str
    default: Any = None

    def get(self) -> T:
        value = self.default() if callable(self.default) else self.default
        return default(self.key, value)

    def set(self, value: T) -> None:
        st.session_state[self.key] = value

    def pop(self) -> T | None:
        return st.session_state.pop(self.key, None)

    def __bool__(self):  # a Slot is always a handle; ask .get() for its value
        return True
