"""Greets from inside a container built by pycontainer."""

__version__ = "0.1.0"
