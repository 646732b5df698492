"""Delivery: the mailing list, per-recipient messages, SMTP sending and what comes back.

Below the CLI and above the renderers: it takes a rendered :class:`EmailEdition` and never
renders anything itself. Three rooms, each with one job: ``audience`` (who is on the list
and what they agreed to), ``sending`` (an issue to every reader, journaled) and ``returns``
(bounces and complaints); beside them what all three share: ``db`` (the schema) and
``tokens`` (signed links), and the operator's tools ``backup`` and ``doctor``.
"""
