"""Simulation: the execution model (:mod:`~alu.backtest.engine`, the only module that imports
vectorbt), its metrics, one backtest (:mod:`~alu.backtest.run`), sweeps of many variants
(:mod:`~alu.backtest.sweep`) and their honest ranking (:mod:`~alu.backtest.compare`)."""
