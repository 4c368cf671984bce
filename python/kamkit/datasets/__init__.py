"""Data sets: a real sample transaction log and synthetic ones."""

from __future__ import annotations

from ._simulate import simulate_transactions

__all__ = ["simulate_transactions"]
