"""The public web app of ``newsletter serve``: one Starlette app for every page a reader
reaches from a form or a link in an e-mail.

``/subscribe`` (sign-up form), ``/confirm/<token>`` (double opt-in), ``/p/<token>``
(preferences), ``/u/<token>`` (unsubscribe, RFC 8058 one-click), and the page's own
stylesheet and script. Every GET only shows; every change is a POST, because link
scanners and mail-client prefetchers follow GETs. The list itself (who is on it, the
consent record, sending) is :mod:`newsletter.deliver`, which this package calls.
"""
