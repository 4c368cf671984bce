"""The lifetimes release whose API kamkit.lifetimes follows."""

from __future__ import annotations

__version__ = "0.11.3"
