from django.contrib import admin

from .models import Activity, CallCapacity, Reminder


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("subject", "kind", "status", "due_at", "responsible")
    list_filter = ("kind", "status")
    raw_id_fields = ("responsible", "author", "company", "contact", "lead", "deal", "follow_up_of")


admin.site.register(Reminder)
admin.site.register(CallCapacity)
