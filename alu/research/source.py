"""Where a research result's data came from (the same block as the watchlist's ``data``)."""

from __future__ import annotations

from typing import Any

from alu.data.market import Market


def data_block(market: Market, symbols: list[str], reference_name: str) -> dict[str, Any]:
    """The source, its files, the band reference and any warnings the readers raised."""
    source = market.source
    return {
        "source": source.label,
        "kind": source.kind,
        "path": str(source.path),
        "synthetic": source.synthetic,
        "band_reference": reference_name,
        "symbols": {
            symbol: {
                "description": market.instrument(symbol).description,
                "file": str(market.instrument(symbol).file),
            }
            for symbol in symbols
        },
        "lme": str(market.lme_path) if market.has_lme() else None,
        "catalysts": len(market.catalysts()),
        "warnings": list(dict.fromkeys(market.warnings)),
    }
