"""Page views.

Every page is a static shell: the transcript, the queue and the alerts are
fetched by the browser over the WebSocket with the user's own token, so no
conversation text is ever rendered on the server (and nothing private can end
up in a cache or a server log of rendered pages).
"""

from typing import Any

from django.conf import settings
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from helpline.selectors import safety_content


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

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # The helpline's numbers and safety texts are in the page from the start, so the safety
        # response shows the instant the frame arrives, with nothing more to fetch.
        context["safety"] = safety_content(language=get_language() or settings.LANGUAGE_CODE)
        context["quick_exit_url"] = settings.QUICK_EXIT_URL
        days = settings.TRANSCRIPT_RETENTION_DAYS
        # "3 years" reads better than "1095 days" to a 14-year-old; other periods stay in days.
        context["retention_years"] = days // 365 if days % 365 == 0 else None
        context["retention_days"] = days
        return context


class StaffLoginPage(PageView):
    template_name = "frontend/login.html"
    page = "login"


class CounselorConsolePage(PageView):
    template_name = "frontend/console.html"
    page = "console"


class MyReviewsPage(PageView):
    """A counselor's own quality reviews and their reply (issue 10; the data over /api/v1/quality/my-reviews)."""

    template_name = "frontend/reviews.html"
    page = "reviews"


class SupervisorConsolePage(PageView):
    template_name = "frontend/supervisor.html"
    page = "supervisor"


class LeftMessagesPage(PageView):
    """Messages youths left when nobody could answer, worked by counselors and supervisors."""

    template_name = "frontend/messages.html"
    page = "messages"


class TranscriptReadsPage(PageView):
    """The transcript access log (supervisors, admins) and a supervisor's read with a reason."""

    template_name = "frontend/transcripts.html"
    page = "transcripts"


class QualityPage(PageView):
    """Quality inspection: a supervisor's assigned reviews (issue 10; the data over /api/v1/quality/)."""

    template_name = "frontend/qa.html"
    page = "qa"


class RubricPage(PageView):
    """The rubric editor for admins: versions published, never edited (issue 10; the data over
    /api/v1/quality/rubric)."""

    template_name = "frontend/rubric.html"
    page = "rubric"


class CentrePage(PageView):
    """The service centre's case work (issue 11): the cases of the centre's region and below, each
    with its timeline; dispatch, accept or return, actions, resolve, call back, close (the data over
    /api/v1/cases/)."""

    template_name = "frontend/centre.html"
    page = "centre"


class ManagerDashboardPage(PageView):
    """The manager's dashboard (issue 11): every indicator against its target, trends, breakdowns
    and the drill-down to what is behind a figure (the data over /api/v1/reports/)."""

    template_name = "frontend/manager.html"
    page = "manager"


class PeriodReportPage(PageView):
    """A daily, weekly, monthly or annual report as a printable A4 page (issue 11)."""

    template_name = "frontend/report.html"
    page = "report"


class StaffingPage(PageView):
    """The staffing planner (issue 13): the week as a heat map of counselors needed, scheduled and
    the gap, the roster editor (the data over /api/v1/staffing/)."""

    template_name = "frontend/staffing.html"
    page = "staffing"
