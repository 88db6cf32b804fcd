"""Mój profil → Bezpieczeństwo: two-step verification, signed-in sessions, sign-in history."""
