from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.backends import ModelBackend

from accounts.security.sessions import loaded_user

if TYPE_CHECKING:
    from accounts.models import User


class AccountBackend(ModelBackend):
    """ModelBackend that loads the customer's Account with the user: in the same query as the
    session's row when the session engine has read them (accounts.security.sessions), else
    in one query of its own."""

    def get_user(self, user_id: Any) -> User | None:
        UserModel = self._user_model()
        user = loaded_user.get()
        if user is None or user.pk != UserModel._meta.pk.to_python(user_id):
            try:
                user = UserModel._default_manager.select_related("account").get(pk=user_id)
            except UserModel.DoesNotExist:
                return None
        return user if self.user_can_authenticate(user) else None

    def _user_model(self) -> type[User]:
        from django.contrib.auth import get_user_model

        return get_user_model()
