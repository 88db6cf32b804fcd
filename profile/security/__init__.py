"""Mój profil → Bezpieczeństwo: the pages; the rules are in accounts.security."""
