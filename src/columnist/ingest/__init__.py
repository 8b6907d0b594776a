"""Ingest: fetch feeds, parse them safely, and normalise what they hold.

The pure layer (``fetch``, ``parse``, ``normalise``) touches no database; the pipeline
stitches it to the store.
"""
