"""Page views.

Every page is a static shell: the transcript, the queue and the alerts are
fetched by the browser over the WebSocket with the user's own token, so no
conversation text is ever rendered on the server (and nothing private can end
up in a cache or a server log of rendered pages).
"""

from typing import Any

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView


# The shells are cheap, and a stale cached shell could pair old HTML with new
# scripts after a deploy; the static assets themselves stay cacheable.
@method_decorator(never_cache, name="dispatch")
class PageView(TemplateView):
    """A page shell. `page` names the ES module the template loads."""

    page = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page"] = self.page
        return context


class YouthPage(PageView):
    template_name = "frontend/youth.html"
    page = "youth"


class StaffLoginPage(PageView):
    template_name = "frontend/login.html"
    page = "login"


class CounselorConsolePage(PageView):
    template_name = "frontend/console.html"
    page = "console"


class SupervisorConsolePage(PageView):
    template_name = "frontend/supervisor.html"
    page = "supervisor"
