"""Who is on the list: subscribers and their consent record, sign-up and its
confirmation and welcome e-mails, imports, unsubscribes, forgetting and data requests.
"""
