"""Vigil's core: settings, models, incidents, the publish function and the CLI.

This file stays free of imports: ``python -m command serve`` with eventlet must
monkey-patch before anything else is imported (see command/__main__.py).
"""
