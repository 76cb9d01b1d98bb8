"""Operators' admin (never the UI): read-only views of the outreach tables."""

from django.contrib import admin

from .models import Campaign, Delivery, Segment, Unsubscription


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "responsible", "team", "created_at")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "status", "responsible", "created_at")
    list_filter = ("kind", "status")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("campaign", "email", "status", "sent_at")
    list_filter = ("status",)


@admin.register(Unsubscription)
class UnsubscriptionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("email", "contact", "created_at")
