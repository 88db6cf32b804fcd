"""Calls ("Spis połączeń"): the history, its formats and the import from the switch.

- `history`: an account's calls, narrowed by the filters of the page;
- `forms`, `views`: the call history page and its CSV export;
- `konto_csv`: Konto's own call CSV, written by the export and read by `import_cdrs`;
- `asterisk_csv`: Asterisk's Master.csv (cdr_csv), read by `import_cdrs`;
- `records`: what both readers make of a row (a ParsedCall, or a Rejected with its reason);
- `importer`: the import engine (batches, idempotence, charges through the ledger).
"""
