from helpline import views
from protocol.http import urlpatterns_of

urlpatterns = urlpatterns_of(views)
