"""The demo data set: a generated year of 丰都县武平镇 that reproduces the reference report."""

from .generator import DemoError, fill, generate, ledger_rows

__all__ = ["DemoError", "fill", "generate", "ledger_rows"]
