"""Signal families: pure functions on pandas objects, no I/O.

One module per family: :mod:`alu.signals.bands` (the $3,000/$3,200 price bands),
:mod:`alu.signals.spread` (cash minus 3-month backwardation), :mod:`alu.signals.inventory`
(LME stocks) and :mod:`alu.signals.catalysts` (dated events). Each computes on its own source's
calendar; :mod:`alu.signals.align` joins the results to an instrument's trading days as-of.

As-of rule: a value dated ``T`` describes the close of ``T`` and may be used at the close of
``T`` or later; LME stock figures are published the next morning, so a stock dated ``T`` is
usable only from the first trading day after ``T`` (applied by the join).
"""
