"""From draft to approved: who approved which version of an issue, and the bytes sent.

An approval (`newsletter approve`) builds the issue's e-mail editions and keeps them, with
the hash of every file of the issue folder, in the database: a send carries those stored
editions and never renders, so what goes out is exactly what someone approved. A folder
that differs from its approval is a draft again until someone approves it anew.

``folder.py`` hashes the issue folder; ``editions.py`` builds what is approved;
``store.py`` keeps approvals and their bytes; ``status.py`` says where an issue stands.
"""
