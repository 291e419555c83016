from readiness.cli import entry

if __name__ == "__main__":  # guarded: Windows starts aggregation workers by re-importing this module
    entry()  # freeze_support() first: a frozen build's children must not re-run the command
