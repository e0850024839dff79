"""Adapters: files, charts, storage and exports around the pure core."""
