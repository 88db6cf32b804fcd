"""Views of the accounts app, one module per area: auth (login, language), dashboard (Pulpit, help)."""
