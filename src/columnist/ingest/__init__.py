"""Ingest: fetch feeds, parse them safely, and normalise what they hold.

The pure layer (``fetch``, ``parse``, ``normalise``) touches no database; ``stage``
(the `ingest` stage) stitches it to the store.
"""
