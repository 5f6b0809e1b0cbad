"""Test doubles shared across test folders (loaded by the folders' conftest files)."""
