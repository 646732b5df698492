"""What comes back after sending: bounces and complaints, read from mailboxes or IMAP,
what each report says and what it changes on the list.
"""
