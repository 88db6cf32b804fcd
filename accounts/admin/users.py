"""Users: customers' logins and operator staff."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest, HttpResponse

from accounts import audit
from accounts.admin.base import AuditedAdmin, IndexedSearchAdmin
from accounts.models import Account, User
from accounts.paging import KeptCountPaginator


@admin.register(User)
class UserAdmin(IndexedSearchAdmin, AuditedAdmin[User], DjangoUserAdmin):
    list_display = ["username", "email", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    # One table: Django's search is answered from its trigram index (migration 0013).
    search_fields = ["username", "email"]
    show_full_result_count = False
    # A total over 10,000 users is counted once a minute.
    paginator = KeptCountPaginator

    def audit_account(self, obj: User) -> Account | None:
        return Account.objects.filter(user=obj).first()

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            # The redirect follows a successful change of this user's password.
            assert user is not None
            audit.record(
                "user.password_set",
                account=self.audit_account(user),
                request=request,
                message=user.get_username(),
            )
        return response
