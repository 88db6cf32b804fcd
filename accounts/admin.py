from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Account, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    pass


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["account_id", "user", "status", "balance", "credit_limit"]
    list_select_related = ["user"]
    search_fields = ["account_id", "user__username", "company_name", "last_name", "user__email"]
    readonly_fields = ["balance"]
    raw_id_fields = ["user"]
