"""The database: opening (SQLCipher), schema and migrations, rows, settings, audit, queries, keys."""
