"""Ingest: fetch feeds, parse them safely, and normalise what they hold.

The pure layer touches no database: ``fetch``; ``parse``, which hands a feed's bytes to
``decoding``, ``xmlguard`` and the format's parser (``xmlfeed``, ``jsonfeed``), with
``dates`` and ``fields``; ``normalise``. ``stage`` (the `ingest` stage) stitches it to
the store.
"""
