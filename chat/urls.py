from chat import left_message_views, views
from protocol.http import urlpatterns_of

urlpatterns = urlpatterns_of(views, left_message_views)
