from django.contrib import admin

from cityops.public.models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin[Feedback]):
    list_display = ("case", "score", "created_at")
    list_filter = ("score",)
    search_fields = ("case__number",)
    raw_id_fields = ("case",)
