"""snapback: small, dependable backups of a folder to a backup target."""

__version__ = "0.4.0"
