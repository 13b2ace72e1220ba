from django.urls import URLPattern

app_name = "pool"
urlpatterns: list[URLPattern] = []
