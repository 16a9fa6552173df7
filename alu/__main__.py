from alu.cli import run

run()
