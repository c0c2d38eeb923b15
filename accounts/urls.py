from django.urls import re_path

from accounts import views

urlpatterns = [
    re_path(r"^auth/youth/?$", views.create_youth, name="auth-youth"),
    re_path(r"^auth/login/?$", views.login, name="auth-login"),
    re_path(r"^auth/refresh/?$", views.refresh, name="auth-refresh"),
    re_path(r"^auth/logout/?$", views.logout, name="auth-logout"),
]
