"""Helpers and fixtures the tests share (``tests/support/``): no tests are collected here.

- ``db``: the schema template, migrated once per test session and copied for each test.
- ``web``: an in-process app on a temporary SQLite file, a movable clock, browsers.
"""
