"""Signing in: the seed's login form, the lockout page, the password reset by login or e-mail."""
