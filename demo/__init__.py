"""The demo scenario of the README (`manage.py seed_demo`), one module per part of it.

The top floor: it may import every app, and no app imports it (CONTRIBUTING.md: the floors).
"""
