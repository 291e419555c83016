from readiness.cli import main

main()
