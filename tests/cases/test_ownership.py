"""Moving a leaving worker's caseload, and the six disclosure checks."""

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Membership, Panel, User
from cases import services
from cases.models import Case, DisclosureCheck, ReassignmentJob
from tests.conftest import api_as, member
from tests.factories import AgencyFactory, CaseFactory, agreement

pytestmark = pytest.mark.django_db
Role = Membership.Role


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestReassignCaseload:
    def test_the_supervisor_moves_every_case_after_confirming(
        self,
        agency: Agency,
        caseworker: User,
        colleague: User,
        supervisor: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        cases = CaseFactory.create_batch(3, owner=caseworker, owning_agency=agency)
        url = reverse("panels:reassign", args=[caseworker.pk])
        client = client_for(supervisor)
        choice = f"{colleague.pk}:{agency.pk}"
        # the review step changes nothing
        review = client.post(url, {"step": "review", "all": choice})
        assert review.status_code == 200 and review.context["review"] is True
        assert Case.objects.filter(owner=caseworker).count() == 3
        # the confirmation starts a job that moves them all, and its page shows it done
        with django_capture_on_commit_callbacks(execute=True):
            confirmed = client.post(url, {"step": "confirm", **{f"case_{case.pk}": choice for case in cases}})
        job = ReassignmentJob.objects.get()
        assert confirmed.status_code == 302 and confirmed["Location"] == job.get_absolute_url()
        assert Case.objects.filter(owner=colleague).count() == 3
        page = client.get(confirmed["Location"])
        assert "3 cases have new owners" in page.content.decode()

    def test_a_missing_choice_moves_nothing(
        self, agency: Agency, caseworker: User, colleague: User, supervisor: User
    ) -> None:
        first, _second = CaseFactory.create_batch(2, owner=caseworker, owning_agency=agency)
        url = reverse("panels:reassign", args=[caseworker.pk])
        response = client_for(supervisor).post(
            url, {"step": "confirm", f"case_{first.pk}": f"{colleague.pk}:{agency.pk}"}
        )
        assert response.status_code == 200 and "every case" in response.context["error"]
        assert Case.objects.filter(owner=caseworker).count() == 2

    def test_one_refusal_rolls_back_every_move(
        self, agency: Agency, caseworker: User, colleague: User, supervisor: User, other_agency: Agency
    ) -> None:
        # given a case the supervisor would lose by handing it to the police
        first, second = CaseFactory.create_batch(2, owner=caseworker, owning_agency=agency)
        officer = member(other_agency, Role.POLICE_LIAISON)
        with pytest.raises(ValidationError, match="out of your reach"):
            services.reassign_caseload(
                caseworker,
                assignments=[(first, colleague, None), (second, officer, None)],
                actor=supervisor,
                confirmed=True,
            )
        assert Case.objects.filter(owner=caseworker).count() == 2

    def test_nothing_moves_unconfirmed(
        self, agency: Agency, caseworker: User, colleague: User, supervisor: User
    ) -> None:
        case = CaseFactory(owner=caseworker, owning_agency=agency)
        with pytest.raises(ValidationError, match="Confirm"):
            services.reassign_caseload(
                caseworker, assignments=[(case, colleague, None)], actor=supervisor, confirmed=False
            )

    def test_only_cases_the_actor_manages_are_offered(
        self, panel: Panel, coordinator: User, caseworker: User, agency: Agency
    ) -> None:
        on_panel = CaseFactory(owner=caseworker, owning_agency=agency, panel=panel)
        CaseFactory(owner=caseworker, owning_agency=agency)  # not on the coordinator's panel
        response = client_for(coordinator).get(reverse("panels:reassign", args=[caseworker.pk]))
        assert response.context["cases"] == [on_panel]

    def test_the_api_previews_then_confirms(
        self,
        agency: Agency,
        caseworker: User,
        colleague: User,
        supervisor: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        case = CaseFactory(owner=caseworker, owning_agency=agency)
        client = api_as(supervisor)
        body = {"worker": caseworker.pk, "assignments": [{"case": case.pk, "owner": colleague.pk}]}
        preview = client.post(reverse("cases-api:case-reassign"), body, format="json")
        assert preview.status_code == 200 and preview.data["confirmed"] is False
        case.refresh_from_db()
        assert case.owner == caseworker
        with django_capture_on_commit_callbacks(execute=True):
            started = client.post(reverse("cases-api:case-reassign"), {**body, "confirm": True}, format="json")
        assert started.status_code == 202 and started.data["status"] == "queued"
        job = client.get(started["Location"])
        assert job.status_code == 200 and job.data["status"] == "done" and job.data["done"] == 1
        case.refresh_from_db()
        assert case.owner == colleague

    def test_a_case_that_changed_hands_since_the_preview_is_refused(
        self, agency: Agency, caseworker: User, colleague: User, supervisor: User
    ) -> None:
        # given the leaving worker's case, handed to someone else after the supervisor's preview
        case = CaseFactory(owner=caseworker, owning_agency=agency)
        Case.objects.filter(pk=case.pk).update(owner=supervisor)
        # then moving it as part of the worker's caseload is refused
        with pytest.raises(ValidationError, match="not owned by"):
            services.reassign_caseload(
                caseworker, assignments=[(case, colleague, None)], actor=supervisor, confirmed=True
            )


class TestReassignmentJob:
    def test_a_failed_job_changes_nothing_and_says_why(
        self, agency: Agency, caseworker: User, colleague: User, supervisor: User
    ) -> None:
        # given a confirmed job for a case that changed hands before the job ran
        case = CaseFactory(owner=caseworker, owning_agency=agency)
        other = CaseFactory(owner=caseworker, owning_agency=agency)
        job = services.start_reassignment(
            caseworker,
            assignments=[(other, colleague, None), (case, colleague, None)],
            actor=supervisor,
            confirmed=True,
        )
        Case.objects.filter(pk=case.pk).update(owner=supervisor)
        # when it runs
        services.run_reassignment(job.pk)
        # then neither case moved, and its page says why
        job.refresh_from_db()
        assert job.status == ReassignmentJob.Status.FAILED and "not owned by" in job.error
        assert Case.objects.get(pk=other.pk).owner == caseworker
        page = client_for(supervisor).get(job.get_absolute_url())
        assert "Nothing changed" in page.content.decode() and "not owned by" in page.content.decode()

    def test_a_job_runs_once(self, agency: Agency, caseworker: User, colleague: User, supervisor: User) -> None:
        case = CaseFactory(owner=caseworker, owning_agency=agency)
        job = services.start_reassignment(
            caseworker, assignments=[(case, colleague, None)], actor=supervisor, confirmed=True
        )
        assert services.run_reassignment(job.pk) is not None
        assert services.run_reassignment(job.pk) is None  # a redelivered task finds it claimed
        job.refresh_from_db()
        assert job.status == ReassignmentJob.Status.DONE

    def test_a_job_confirmed_while_the_broker_is_down_is_run_by_the_sweep(
        self,
        agency: Agency,
        caseworker: User,
        colleague: User,
        supervisor: User,
        monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        from celery.app.task import Task
        from kombu.exceptions import OperationalError as BrokerDown

        def broker_down(*args: Any, **kwargs: Any) -> None:
            raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        cases = CaseFactory.create_batch(2, owner=caseworker, owning_agency=agency)
        choice = f"{colleague.pk}:{agency.pk}"
        # given the broker is down when the supervisor confirms
        with monkeypatch.context() as patched:
            patched.setattr(Task, "apply_async", broker_down)
            with django_capture_on_commit_callbacks(execute=True):
                confirmed = client_for(supervisor).post(
                    reverse("panels:reassign", args=[caseworker.pk]),
                    {"step": "confirm", **{f"case_{case.pk}": choice for case in cases}},
                )
        # then she is shown the job's page, not an error, and the job waits
        job = ReassignmentJob.objects.get()
        assert confirmed.status_code == 302 and confirmed["Location"] == job.get_absolute_url()
        assert job.status == ReassignmentJob.Status.QUEUED
        from cases.tasks import run_waiting_jobs_task

        # when the broker is back, beat's sweep asks a worker again for a job waiting over a minute
        assert run_waiting_jobs_task() == 0  # too recent: its own task may still be on its way
        ReassignmentJob.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
        assert run_waiting_jobs_task() == 1
        # and every case moves, once
        job.refresh_from_db()
        assert job.status == ReassignmentJob.Status.DONE
        assert Case.objects.filter(owner=colleague).count() == 2
        assert run_waiting_jobs_task() == 0

    def test_a_job_whose_worker_died_mid_run_is_run_again_by_the_sweep_once_past_the_time_limit(
        self, agency: Agency, caseworker: User, colleague: User, supervisor: User, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from cases.services import jobs
        from cases.tasks import run_waiting_jobs_task

        cases = CaseFactory.create_batch(2, owner=caseworker, owning_agency=agency)
        job = services.start_reassignment(
            caseworker, assignments=[(case, colleague, None) for case in cases], actor=supervisor, confirmed=True
        )
        moving = jobs.reassign_caseload

        def killed(*args: Any, **kwargs: Any) -> None:
            moving(*args, **kwargs)
            raise SystemExit("the worker is killed before its transaction commits")

        # given a worker that dies in the middle of the job
        with monkeypatch.context() as patched:
            patched.setattr(jobs, "reassign_caseload", killed)
            with pytest.raises(SystemExit):
                services.run_reassignment(job.pk)
        # then the job says running, and nothing moved
        job.refresh_from_db()
        assert job.status == ReassignmentJob.Status.RUNNING and job.running_since is not None
        assert not Case.objects.filter(owner=colleague).exists()
        # when the sweep comes while it could still be running, it leaves it
        ReassignmentJob.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
        assert run_waiting_jobs_task() == 0
        # and once it has been running longer than a task may, the sweep runs it again
        limit = settings.CELERY_TASK_TIME_LIMIT + 61
        ReassignmentJob.objects.update(running_since=timezone.now() - datetime.timedelta(seconds=limit))
        assert run_waiting_jobs_task() == 1
        # and every case moves, once
        job.refresh_from_db()
        assert job.status == ReassignmentJob.Status.DONE
        assert Case.objects.filter(owner=colleague).count() == 2
        assert run_waiting_jobs_task() == 0

    def test_while_running_the_page_polls_for_its_progress(
        self, agency: Agency, caseworker: User, colleague: User, supervisor: User
    ) -> None:
        case = CaseFactory(owner=caseworker, owning_agency=agency)
        job = services.start_reassignment(
            caseworker, assignments=[(case, colleague, None)], actor=supervisor, confirmed=True
        )
        page = client_for(supervisor).get(job.get_absolute_url())
        body = page.content.decode()
        assert 'hx-trigger="every 2s"' in body and "0 of 1 cases" in body
        part = client_for(supervisor).get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
        assert "<html" not in part.content.decode() and "0 of 1 cases" in part.content.decode()

    def test_only_the_person_who_started_it_sees_it(
        self, agency: Agency, caseworker: User, colleague: User, supervisor: User
    ) -> None:
        case = CaseFactory(owner=caseworker, owning_agency=agency)
        job = services.start_reassignment(
            caseworker, assignments=[(case, colleague, None)], actor=supervisor, confirmed=True
        )
        assert client_for(colleague).get(job.get_absolute_url()).status_code == 404
        assert api_as(colleague).get(reverse("cases-api:reassignment-job", args=[job.pk])).status_code == 404
        assert Client().get(job.get_absolute_url()).status_code == 302


class TestDisclosureChecks:
    def test_social_care_records_its_checks_and_only_it_sees_them(
        self, case: Case, caseworker: User, agency: Agency, other_agency: Agency, auditor_readonly: User
    ) -> None:
        agreement(agency, other_agency)
        from tests.factories import share

        today = timezone.localdate()
        share(case, other_agency)
        url = reverse("cases:disclosurecheck_create", args=[case.pk])
        response = client_for(caseworker).post(
            url,
            {
                "concern_verified_on": today,
                "not_discussed_because": "It would alert the person of concern",
                "colleagues_consulted_on": today,
                "managers_consulted_on": today,
                "risk_assessed_on": today,
                "shared_on": today,
                "shared_with": [other_agency.pk],
                "basis": "safeguarding",
                "basis_detail": "A serious, real risk to his younger sister",
            },
        )
        assert response.status_code == 302
        check = DisclosureCheck.objects.get()
        assert check.steps_done == 6 and list(check.shared_with.all()) == [other_agency]
        # the police read the case in full, but not the social-care agency's own checks
        page = client_for(auditor_readonly).get(case.get_absolute_url())
        assert "It would alert the person" not in page.content.decode()
        assert api_as(auditor_readonly).get(reverse("cases-api:disclosurecheck-list")).data["count"] == 0

    def test_without_the_permission_to_add_checks_there_is_no_button_and_no_record(
        self, case: Case, caseworker: User, agency: Agency
    ) -> None:
        from django.contrib.auth.models import Group, Permission

        from agencies.roles import role_group_name

        # given the owner, a social-care practitioner: the page offers the checks
        button = reverse("cases:disclosurecheck_create", args=[case.pk])
        assert button in client_for(caseworker).get(case.get_absolute_url()).content.decode()
        # when an administrator takes the permission to add checks from the practitioners' role
        permission = Permission.objects.get(content_type__app_label="cases", codename="add_disclosurecheck")
        Group.objects.get(name=role_group_name(Role.PRACTITIONER)).permissions.remove(permission)
        caseworker = User.objects.get(pk=caseworker.pk)  # permissions are read once per user object
        # then neither the page, nor the form, nor the API, nor the service lets them record the checks
        assert button not in client_for(caseworker).get(case.get_absolute_url()).content.decode()
        assert client_for(caseworker).get(button).status_code == 403
        response = api_as(caseworker).post(
            reverse("cases-api:disclosurecheck-list"),
            {"case": case.pk, "agency": agency.pk, "concern_verified_on": timezone.localdate()},
        )
        assert response.status_code == 403
        with pytest.raises(ValidationError):
            services.record_disclosure_check(
                case, agency=agency, actor=caseworker, concern_verified_on=timezone.localdate()
            )
        assert not DisclosureCheck.objects.exists()

    def test_sharing_before_the_first_five_steps_is_refused(self, case: Case, caseworker: User, agency: Agency) -> None:
        with pytest.raises(ValidationError, match="steps 1 to 5"):
            services.record_disclosure_check(case, agency=agency, actor=caseworker, shared_on=timezone.localdate())
        assert not DisclosureCheck.objects.exists()

    def test_a_future_date_is_refused_and_the_form_keeps_the_rest(self, case: Case, caseworker: User) -> None:
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        response = client_for(caseworker).post(
            reverse("cases:disclosurecheck_create", args=[case.pk]),
            {"concern_verified_on": tomorrow, "notes": "Keep me"},
        )
        assert response.status_code == 200 and "Keep me" in response.content.decode()
        assert not DisclosureCheck.objects.exists()

    def test_the_police_do_not_keep_these_checks(
        self, case: Case, other_agency: Agency, auditor_readonly: User
    ) -> None:
        from tests.factories import share

        share(case, other_agency)
        url = reverse("cases:disclosurecheck_create", args=[case.pk])
        assert client_for(auditor_readonly).get(url).status_code == 403
        with pytest.raises(ValidationError, match="health and social-care"):
            services.record_disclosure_check(case, agency=other_agency, actor=auditor_readonly)

    def test_a_member_records_for_their_own_agency_only(self, case: Case, caseworker: User) -> None:
        health = AgencyFactory(name="Clinic", sector=Agency.Sector.HEALTH)
        with pytest.raises(ValidationError, match="own agency"):
            services.record_disclosure_check(case, agency=health, actor=caseworker)
