"""Research: does the squeeze thesis hold today, do its signals predict returns, what did the
catalysts do. Pure orchestration over the market; never imports vectorbt (forward returns come
straight from the instruments' fill prices and closes).

- :mod:`alu.research.freshness`: which days' inputs are stale (the watchlist's rule, per day).
- :mod:`alu.research.thesis`: the verdict as of a day, its conditions and the episodes in which
  they all held (``alu thesis``).
- :mod:`alu.research.hac`: Newey-West means and rank slopes through statsmodels.
- :mod:`alu.research.forward`: forward returns by signal state and rank information
  coefficients (``alu research``).
- :mod:`alu.research.events`: the event study around the catalyst calendar (``alu events``).
- :mod:`alu.research.views`: the three results as tables and CSV text.

Each function takes a :class:`alu.data.market.Market` and plain options and returns a frozen
result with ``.to_json()`` and DataFrame views.
"""
