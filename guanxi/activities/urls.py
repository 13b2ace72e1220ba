from django.urls import path

from guanxi.activities.views import calendar, meetings, tasks

app_name = "activities"
urlpatterns = [
    path("tasks/", tasks.task_list, name="task_list"),
    path("tasks/create/", tasks.task_create, name="task_create"),
    path("tasks/customers/", tasks.customer_options, name="customer_options"),
    path("tasks/<int:task_id>/", tasks.task_update, name="task_update"),
    path("tasks/<int:task_id>/done/", tasks.task_done, name="task_done"),
    path("tasks/<int:task_id>/delete/", tasks.task_delete, name="task_delete"),
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/create/", meetings.meeting_create, name="meeting_create"),
    path("meetings/contacts/", meetings.contact_options, name="contact_options"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/update/", meetings.meeting_update, name="meeting_update"),
    path("meetings/<int:meeting_id>/minutes/", meetings.meeting_minutes, name="meeting_minutes"),
    path(
        "meetings/<int:meeting_id>/follow-ups/",
        meetings.meeting_follow_ups,
        name="meeting_follow_ups",
    ),
    path("meetings/<int:meeting_id>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:meeting_id>/delete/", meetings.meeting_delete, name="meeting_delete"),
    path("calendar/", calendar.calendar_view, name="calendar"),
    path("calendar/subscribe/", calendar.calendar_subscribe, name="calendar_subscribe"),
    path("calendar/feed/<str:token>.ics", calendar.calendar_feed_view, name="calendar_feed"),
]
