"""Operators' admin only (support and data repair); users work in Greenwave's own pages."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, Role, Team, User

admin.site.register(User, UserAdmin)
admin.site.register(Team)
admin.site.register(Role)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "revoked_at"]
    readonly_fields = ["key_hash", "prefix"]
