"""Sending an issue: the journal (claims, leases, group commit), send control and
scheduling, the SMTP connection and pipelining, messages, DKIM, VERP, workers, the report.
"""
