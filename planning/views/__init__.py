"""Planning pages, one module per feature."""
