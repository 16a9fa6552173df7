"""What the strategies read: the raw inputs of the four signal families, each on its own calendar.

This is plain data (no I/O). The data layer builds it from a data dir; tests build it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class SignalInputs:
    """Inputs of the signal families.

    - ``reference``: the band reference price in $/t on its own calendar (LME ``three_month``
      when the data has it, else the ``ALI=F`` close), missing days dropped.
    - ``reference_name``: what ``reference`` is, for display.
    - ``lme``: the LME frame (``cash_settlement``, ``three_month`` in $/t, ``lme_stock`` in
      tonnes) indexed by LME date, or None. Stocks are dated by the day they describe; the
      publication lag is applied when the inventory signals are joined to a trading calendar.
    - ``catalysts``: the event calendar (``name``, ``kind``, ``announced``, ``window_before``,
      ``window_after``) indexed by event date.
    """

    reference: pd.Series | None
    reference_name: str
    lme: pd.DataFrame | None
    catalysts: pd.DataFrame

    def truncated(self, end: pd.Timestamp) -> SignalInputs:
        """The inputs as they stood at the close of ``end``: every row dated after it removed.

        Catalyst events stay (they are gated by their ``announced`` date when used).
        """
        reference = None if self.reference is None else self.reference.loc[:end]
        lme = None if self.lme is None else self.lme.loc[:end]
        return SignalInputs(reference, self.reference_name, lme, self.catalysts)
