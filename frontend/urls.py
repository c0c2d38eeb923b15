# The pages. The project's urls.py includes these at the site root and serves
# Django's JavaScriptCatalog at /jsi18n/ (name "javascript-catalog") and
# set_language at /i18n/setlang/, which the templates use.
from django.urls import path

from . import views

urlpatterns = [
    path("", views.YouthPage.as_view(), name="youth"),
    path("console/login/", views.StaffLoginPage.as_view(), name="staff-login"),
    path("console/", views.CounselorConsolePage.as_view(), name="counselor-console"),
    path("console/messages/", views.LeftMessagesPage.as_view(), name="left-messages"),
    path("console/reviews/", views.MyReviewsPage.as_view(), name="my-reviews"),
    path("supervisor/", views.SupervisorConsolePage.as_view(), name="supervisor-console"),
    path("supervisor/qa/", views.QualityPage.as_view(), name="quality"),
    path("supervisor/transcript-reads/", views.TranscriptReadsPage.as_view(), name="transcript-reads"),
    path("admin-console/rubric/", views.RubricPage.as_view(), name="rubric-editor"),
    path("centre/", views.CentrePage.as_view(), name="centre"),
    path("manager/", views.ManagerDashboardPage.as_view(), name="manager-dashboard"),
    path("manager/report/", views.PeriodReportPage.as_view(), name="period-report"),
    path("manager/staffing/", views.StaffingPage.as_view(), name="staffing"),
]
