"""The entry script of readiness.exe (PyInstaller): the stick's defaults around the command line."""

import multiprocessing
import sys

if __name__ == "__main__":
    # First of all: in a frozen exe, aggregation's worker processes start this same exe with
    # --multiprocessing-fork arguments; freeze_support() turns them into workers (and exits).
    multiprocessing.freeze_support()
    from readiness.standalone import main

    sys.exit(main())
