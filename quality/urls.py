from protocol.http import urlpatterns_of
from quality import views

urlpatterns = urlpatterns_of(views)
