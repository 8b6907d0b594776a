"""The store: schema, migrations and the queries each pipeline stage needs."""
