"""The newsletter: the digest of what was published in a period, as mail.

The issue (a period's posts grouped by topic) is selected by `site/issues.py`, which the
site's digest pages share; here `digest.py` runs `columnist digest`, `render.py` makes
the mail's HTML and text parts, `recipients.py` reads the subscriber list and `send.py`
speaks SMTP.
"""
