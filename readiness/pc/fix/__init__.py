"""`readiness fix`: the plan's remedies, applied safely and reversibly."""
