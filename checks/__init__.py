"""Built-in checks, one module each; they load through the ``readiness.checks`` entry points."""
