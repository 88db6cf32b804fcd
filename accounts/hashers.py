"""How customers' passwords are stored: Argon2id at the cost this machine can carry.

Django's Argon2PasswordHasher takes m=100 MiB, t=2, p=8: about 170 ms of processor time and
100 MB of memory for every sign-in, so 32 customers signing in at once would want about 3 GB
and the 2-core server managed some six sign-ins a second. OWASP's Password Storage Cheat
Sheet recommends Argon2id with m=19 MiB, t=2, p=1 as its baseline (each of its rows is
equally strong): that is what this hasher uses. p=1 because a sign-in request runs on one
core anyway, and parallel lanes only add threads.

The algorithm name stays "argon2", so hashes made with Django's parameters still verify;
Django rehashes a password with these parameters on its next successful sign-in
(must_update compares them).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2PasswordHasher


class Argon2PasswordHasher(DjangoArgon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
