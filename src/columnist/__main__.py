from columnist.cli import main

main()
