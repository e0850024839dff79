"""Command-line interface: thin wrappers that parse, call the core, and render."""
