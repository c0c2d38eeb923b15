from protocol.http import urlpatterns_of
from reports import views

urlpatterns = urlpatterns_of(views)
