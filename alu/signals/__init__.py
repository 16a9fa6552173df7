"""Signal families: pure functions on pandas objects, no I/O.

One module per family: :mod:`alu.signals.bands` (the $3,000/$3,200 price bands),
:mod:`alu.signals.spread` (cash minus 3-month backwardation), :mod:`alu.signals.inventory`
(LME stocks) and :mod:`alu.signals.catalysts` (dated events). Each computes on its own source's
calendar; :mod:`alu.signals.align` joins the results to an instrument's trading days as-of.

Each family also has a sweep form (``band_sweep``, ``spread_sweep``, ``inventory_sweep``,
``catalyst_sweep``) that computes many parameter settings at once as numeric arrays
(:class:`alu.signals.arrays.SignalArrays`: states as int8 codes, flags as bool, numbers as
float64); the single-setting functions are its one-setting case. The numeric kernels are numpy
(:mod:`alu.signals.kernels`, the reference, used by a single backtest and the watchlist) with
numba twins for sweeps (:mod:`alu.signals.nb`, tested equal; only sweeps import it).

As-of rule: a value dated ``T`` describes the close of ``T`` and may be used at the close of
``T`` or later; LME stock figures are published the next morning, so a stock dated ``T`` is
usable only from the first trading day after ``T`` (applied by the join).
"""
