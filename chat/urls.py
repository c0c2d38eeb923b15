from django.urls import re_path

from chat import views

urlpatterns = [re_path(r"^service/?$", views.service_info, name="service-info")]
