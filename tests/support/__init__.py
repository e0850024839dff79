"""Helpers and fixtures the tests share (``tests/support/``): no tests are collected here.

- ``web``: an in-process app on a temporary SQLite file, a movable clock, browsers.
"""
