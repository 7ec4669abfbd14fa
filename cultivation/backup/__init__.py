"""Whole-database backup and restore: ``cultivation backup FILE`` / ``cultivation restore FILE``."""
