"""Business Kraków: one issue source, several editions (email, PDF, web)."""

__version__ = "0.1.0"
