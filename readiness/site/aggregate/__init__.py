"""Site aggregation: one verdict per site from its machines' reports."""
