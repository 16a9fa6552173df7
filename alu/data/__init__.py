"""Data layer: strict file readers, the data source rule, the market model (and the store)."""
