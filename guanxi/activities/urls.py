from django.urls import path

from guanxi.activities import views

app_name = "activities"
urlpatterns = [
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/create/", views.task_create, name="task_create"),
    path("tasks/customers/", views.customer_options, name="customer_options"),
    path("tasks/<int:task_id>/", views.task_update, name="task_update"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("tasks/<int:task_id>/delete/", views.task_delete, name="task_delete"),
]
