from alu.cli import main

main()
