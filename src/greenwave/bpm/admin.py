"""Operator admin (at /ops/admin/): read-mostly views of the bpm tables."""

from django.contrib import admin

from .models import (
    HumanTask,
    Incident,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    Timer,
)


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(admin.ModelAdmin[ProcessDefinition]):
    list_display = ("key", "version", "name", "status", "is_executable", "created_at")
    list_filter = ("status",)
    exclude = ("xml",)


@admin.register(ProcessInstance)
class ProcessInstanceAdmin(admin.ModelAdmin[ProcessInstance]):
    list_display = ("pk", "definition", "status", "business_key", "created_at")
    list_filter = ("status",)
    exclude = ("state",)


for model in (HumanTask, Timer, MessageSubscription, Incident):
    admin.site.register(model)
