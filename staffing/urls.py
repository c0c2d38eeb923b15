from protocol.http import urlpatterns_of
from staffing import views

urlpatterns = urlpatterns_of(views)
