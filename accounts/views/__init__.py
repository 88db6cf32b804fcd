"""Views of the accounts app, one module per area: auth (login, language), dashboard (Pulpit, help),
calls (Spis połączeń and its CSV export), ledger (Historia salda)."""
