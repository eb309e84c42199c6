"""Subcommands of ``clinic-archive``: each module has ``register(subparsers)``."""
