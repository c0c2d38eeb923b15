from protocol.http import urlpatterns_of
from quality import access_views, views

urlpatterns = urlpatterns_of(views, access_views)
