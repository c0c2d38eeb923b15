from protocol.http import urlpatterns_of
from quality import access_views, feedback_views, rubric_views, supervision_views, views

urlpatterns = urlpatterns_of(views, access_views, feedback_views, supervision_views, rubric_views)
