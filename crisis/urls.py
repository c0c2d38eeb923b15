from django.urls import re_path

from crisis import views

urlpatterns = [
    re_path(r"^crisis/lexicon/?$", views.lexicon_document, name="crisis-lexicon"),
    re_path(r"^crisis/lexicon/versions/?$", views.lexicon_versions, name="crisis-lexicon-versions"),
]
