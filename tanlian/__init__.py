"""Tanlian (碳链): supply-chain carbon tracing for zero-carbon industrial parks."""

__version__ = "0.1.0"
