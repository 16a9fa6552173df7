"""``alu watchlist``: where the squeeze thesis stands as of a day, what flipped, how fresh.

- :mod:`alu.watchlist.series`: every signal and stance over the history, computed once through
  the backtest's own code paths (family frames, the as-of signal table, the strategy rules).
- :mod:`alu.watchlist.snapshot`: the plain data structure "watchlist as of D".
- :mod:`alu.watchlist.alerts`: flips, by diffing consecutive days of the series.
- :mod:`alu.watchlist.build`: from a Market to a snapshot or an alert history.
- :mod:`alu.watchlist.views`: the snapshot and the history as JSON and CSV text.
- :mod:`alu.watchlist.table`: the terminal view (rich).

Nothing here imports vectorbt or numba.
"""
