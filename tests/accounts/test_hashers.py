"""accounts.hashers: Argon2id at OWASP's baseline, and older hashes upgraded on sign-in."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters
from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2
from django.contrib.auth.hashers import make_password

from accounts.models import User

pytestmark = pytest.mark.django_db


def parameters(encoded: str):
    algorithm, rest = encoded.split("$", 1)
    assert algorithm == "argon2"
    return extract_parameters("$" + rest)


def test_a_new_password_is_argon2id_at_19_mib_two_passes_one_lane(argon2):
    found = parameters(make_password("Haslo-do-sprawdzenia-1"))
    assert found.type.name == "ID"
    assert (found.memory_cost, found.time_cost, found.parallelism) == (19 * 1024, 2, 1)


def test_a_hash_with_djangos_parameters_still_signs_in_and_is_upgraded(argon2, client, alice):
    old = DjangoArgon2().encode("Stare-haslo-123", DjangoArgon2().salt())
    assert parameters(old).memory_cost == 102400
    User.objects.filter(pk=alice.user.pk).update(password=old)

    response = client.post("/login/", {"username": alice.login, "password": "Stare-haslo-123"})

    assert response.status_code == 302 and response["Location"] == "/"
    upgraded = User.objects.get(pk=alice.user.pk).password
    assert upgraded != old
    assert (parameters(upgraded).memory_cost, parameters(upgraded).parallelism) == (19456, 1)
    client.logout()
    again = client.post("/login/", {"username": alice.login, "password": "Stare-haslo-123"})
    assert again.status_code == 302
