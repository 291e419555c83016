from readiness.cli import main

if __name__ == "__main__":  # guarded: Windows starts aggregation workers by re-importing this module
    main()
