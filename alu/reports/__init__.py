"""What people look at: terminal tables, self-contained HTML reports and PNG charts of backtests
and comparisons. Renders results; computes nothing the results do not already hold."""
