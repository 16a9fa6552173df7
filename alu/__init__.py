"""alu: aluminium squeeze signals and backtests.

The application layer (CLI, data loading, the local store) lives here; the domain lives in the
top-level packages ``signals`` (pure signal functions), ``strategies`` (rules combining them) and
``backtest`` (the vectorbt engine, metrics and reports).
"""

__version__ = "0.1.0"
