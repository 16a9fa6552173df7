"""The bodies of the CLI commands (imported lazily by :mod:`alu.cli`)."""
