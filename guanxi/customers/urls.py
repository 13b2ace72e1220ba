from django.urls import path

from guanxi.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("search/", views.customer_list, name="search"),
    path("<int:customer_id>/", views.customer_list, name="customer_detail"),
    path("contacts/", views.customer_list, name="contact_list"),
    path(
        "interactions/<int:interaction_id>/update/", views.customer_list, name="interaction_update"
    ),
]
