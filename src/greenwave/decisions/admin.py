"""Operators' view of decisions (read-only: changes go through the services)."""

from django.contrib import admin

from .models import DecisionDefinition, DecisionEvaluation


@admin.register(DecisionDefinition)
class DecisionDefinitionAdmin(admin.ModelAdmin):
    list_display = ("key", "version", "name", "status", "is_latest", "created_at")
    list_filter = ("status", "is_latest")
    search_fields = ("key", "name")
    exclude = ("xml",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(DecisionEvaluation)
class DecisionEvaluationAdmin(admin.ModelAdmin):
    list_display = ("decision_name", "definition", "actor", "created_at")
    list_select_related = ("definition", "actor")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
