"""Delivery: the mailing list, per-recipient messages, SMTP sending and unsubscribing.

Below the CLI and above the renderers: it takes a rendered :class:`EmailEdition` and never
renders anything itself.
"""
