#!/usr/bin/env python3
"""A desk's day through the generated Python client (quality gate 3 of issue 7; run by scripts/gate-clients).

    scenario.py BASE_URL ADMIN_PASSWORD     with the generated package `sportello_client` on PYTHONPATH

Only the client that openapi-python-client generated from openapi/openapi.json is used: its models, its enums
and its api functions (the `sync_detailed` variants, which return status, headers and the parsed body). No raw
HTTP: every request below is one the generator built from the spec.

As the bootstrap admin: create an organization, one of its desks and an operator there. As that operator: open a
case at the desk with one family member (repeating the POST with the same Idempotency-Key must replay it), add a
second family member and an intervention, find the case in the case list, read it and its ETag, change it with
a JSON merge patch under If-Match (setting, replacing and clearing fields), then send the old ETag again, which
must be refused with 412 and a problem+json body, and the case left as it was.

Every response is checked: status, parsed model type, the values sent, and that it carries no field the spec
does not declare (an undeclared field lands in a model's `additional_properties`). Undocumented statuses raise
(raise_on_unexpected_status). Any deviation exits 1 with the step, the status and the body.
"""

import datetime
import re
import sys
import uuid
from typing import Any, NoReturn, TypeVar

import attrs
from sportello_client import AuthenticatedClient, Client
from sportello_client.api.activations import create_activation, list_candidates, move_activation
from sportello_client.api.assignments import answer_assignment, list_assignments
from sportello_client.api.auth import me, token
from sportello_client.api.cases import create_case, get_case, list_cases, update_case
from sportello_client.api.consents import create_consent
from sportello_client.api.desks import create_desk
from sportello_client.api.family_members import create_family_member, list_family_members
from sportello_client.api.interventions import create_intervention, list_interventions
from sportello_client.api.organizations import create_organization
from sportello_client.api.professionals import create_professional
from sportello_client.api.providers import create_provider
from sportello_client.api.referrals import create_referral, list_referral_events, list_referrals, move_referral
from sportello_client.api.users import create_user
from sportello_client.models import (
    Activation,
    ActivationStatus,
    ActivationUrgency,
    AnswerAssignment,
    Assignment,
    CandidateList,
    Case,
    CaseStatus,
    Consent,
    ConsentPurpose,
    CountryCode,
    CreateConsent,
    CreateActivation,
    CreateProfessional,
    CreateProvider,
    CreateReferral,
    CreateCase,
    CreateDesk,
    CreateFamilyMember,
    CreateIntervention,
    CreateOrganization,
    CreateUser,
    Desk,
    FamilyMember,
    GrantType,
    Intervention,
    InterventionKind,
    LanguageCode,
    LanguageLevel,
    ListReferralsDirection,
    MoveActivation,
    MoveReferral,
    LegalStatus,
    Need,
    Organization,
    OrganizationKind,
    PageAssignment,
    PageCase,
    PageFamilyMember,
    PageIntervention,
    PageReferral,
    PageReferralEvent,
    Problem,
    Professional,
    ProfessionalKind,
    Provider,
    ProviderCategory,
    Referral,
    ReferralStatus,
    Relationship,
    Role,
    Sector,
    SpokenLanguage,
    Sex,
    TokenRequest,
    TokenResponse,
    UpdateCase,
    Urgency,
    User,
)
from sportello_client.types import UNSET, Response

BASE_URL, ADMIN_PASSWORD = sys.argv[1], sys.argv[2]
T = TypeVar("T")
TIMEOUT = 30.0
step_number = 0


def fail(message: str) -> NoReturn:
    print(f"FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def step(title: str) -> None:
    global step_number
    step_number += 1
    print(f"  {step_number:2}. {title}", flush=True)


def undeclared_fields(value: Any, path: str = "") -> list[str]:
    """Paths of the fields the server sent that the spec does not declare, anywhere in a parsed body."""
    found: list[str] = []
    if isinstance(value, list):
        for i, item in enumerate(value):
            found += undeclared_fields(item, f"{path}[{i}]")
    elif attrs.has(type(value)):
        found += [f"{path}.{key}" for key in getattr(value, "additional_properties", {})]
        for field in attrs.fields(type(value)):
            if field.name != "additional_properties":
                found += undeclared_fields(getattr(value, field.name), f"{path}.{field.name}")
    return found


def expect(what: str, response: Response[Any], status: int, model: type[T]) -> T:
    """The parsed body of `response`, after checking its status, its type and that it declares every field."""
    if response.status_code != status or not isinstance(response.parsed, model):
        body = response.content.decode("utf-8", "replace")[:800]
        fail(f"{what}: expected HTTP {status} with a {model.__name__}, got HTTP {int(response.status_code)}: {body}")
    extra = undeclared_fields(response.parsed, model.__name__)
    if extra:
        fail(f"{what}: the response has fields the spec does not declare: {', '.join(extra)}")
    return response.parsed


def check(what: str, condition: bool, detail: Any = "") -> None:
    if not condition:
        fail(f"{what}{': ' + repr(detail) if detail != '' else ''}")


def strong_etag(what: str, response: Response[Any]) -> str:
    """The ETag header of a response, which must be a strong one (If-Match compares strongly)."""
    etag = response.headers.get("ETag", "")
    check(f"{what}: a strong ETag", re.fullmatch(r'"[\x21\x23-\x7e\x80-\xff]*"', etag) is not None, etag)
    return etag


def log_in(username: str, password: str) -> AuthenticatedClient:
    response = token.sync_detailed(
        client=Client(base_url=BASE_URL, timeout=TIMEOUT, raise_on_unexpected_status=True),
        body=TokenRequest(grant_type=GrantType.PASSWORD, username=username, password=password),
    )
    tokens = expect(f"log in as {username}", response, 200, TokenResponse)
    check("token_type is Bearer", tokens.token_type == "Bearer", tokens.token_type)
    check("expires_in is positive", tokens.expires_in > 0, tokens.expires_in)
    check("a user gets a refresh token", isinstance(tokens.refresh_token, str) and tokens.refresh_token != "")
    return AuthenticatedClient(
        base_url=BASE_URL, token=tokens.access_token, timeout=TIMEOUT, raise_on_unexpected_status=True
    )


def main() -> None:
    today = datetime.date.today()
    print(f"Scenario against {BASE_URL}")

    step("log in as the bootstrap admin (password grant)")
    admin = log_in("admin", ADMIN_PASSWORD)
    whoami = expect("GET /me as admin", me.sync_detailed(client=admin), 200, User)
    check("admin's role", whoami.role == Role.ADMIN, whoami.role)

    step("admin: create an organization, one of its desks, and an operator there")
    org = expect(
        "create the organization",
        create_organization.sync_detailed(
            client=admin,
            body=CreateOrganization(
                name="Comune di Cremona", kind=OrganizationKind.MUNICIPALITY, code="CR-COMUNE", municipality="Cremona"
            ),
        ),
        201,
        Organization,
    )
    check("organization code", org.code == "CR-COMUNE", org.code)
    check("organization kind", org.kind == OrganizationKind.MUNICIPALITY, org.kind)
    desk = expect(
        "create the desk",
        create_desk.sync_detailed(
            client=admin,
            body=CreateDesk(
                name="Sportello immigrati - Via Aselli",
                organization_id=org.id,
                municipality="Cremona",
                languages=[LanguageCode.IT, LanguageCode.FR, LanguageCode.EN],
            ),
        ),
        201,
        Desk,
    )
    check("desk belongs to the organization", desk.organization_id == org.id, desk.organization_id)
    operator_password = f"Operator-{uuid.uuid4().hex}"
    operator_user = expect(
        "create the operator",
        create_user.sync_detailed(
            client=admin,
            body=CreateUser(
                username="m.rossi",
                display_name="Maria Rossi",
                role=Role.OPERATOR,
                password=operator_password,
                organization_id=org.id,
            ),
        ),
        201,
        User,
    )
    check("operator's role", operator_user.role == Role.OPERATOR, operator_user.role)
    check("operator's organization", operator_user.organization_id == org.id, operator_user.organization_id)

    step("log in as the operator")
    operator = log_in("m.rossi", operator_password)
    whoami = expect("GET /me as operator", me.sync_detailed(client=operator), 200, User)
    check("GET /me names the operator", whoami.id == operator_user.id, whoami.id)

    step("operator: open a case at the desk, with one family member, under an Idempotency-Key")
    intake = CreateCase(
        given_name="Amina",
        family_name="Diallo",
        desk_id=desk.id,
        sex=Sex.FEMALE,
        birth_date=datetime.date(1990, 5, 17),
        birth_place="Dakar",
        citizenship=CountryCode.SN,
        country_of_birth=CountryCode.SN,
        languages=[LanguageCode.FR, LanguageCode.WO],
        legal_status=LegalStatus.PERMIT_HOLDER,
        needs=[Need.RESIDENCE_PERMIT, Need.LANGUAGE_COURSE],
        phone="+39 333 1234567",
        residence_municipality="Cremona",
        family_members=[
            CreateFamilyMember(
                relationship=Relationship.CHILD,
                given_name="Moussa",
                family_name="Diallo",
                sex=Sex.MALE,
                birth_date=datetime.date(2016, 3, 2),
                dependent=True,
            )
        ],
    )
    idempotency_key = f"clients-gate-{uuid.uuid4()}"
    created = create_case.sync_detailed(client=operator, body=intake, idempotency_key=idempotency_key)
    case = expect("create the case", created, 201, Case)
    check("case owned by the operator's organization", case.organization_id == org.id, case.organization_id)
    check("case taken in at the desk", case.desk_id == desk.id, case.desk_id)
    check("case created by the operator", case.created_by == operator_user.id, case.created_by)
    check("new case is open", case.status == CaseStatus.OPEN, case.status)
    check("reference code starts with the organization code", case.reference_code.startswith("CR-COMUNE-"))
    check("sex parsed as the Sex enum", case.sex == Sex.FEMALE, case.sex)
    check("legal status parsed as its enum", case.legal_status == LegalStatus.PERMIT_HOLDER, case.legal_status)
    check("birth date parsed as a date", case.birth_date == datetime.date(1990, 5, 17), case.birth_date)
    check("needs", case.needs == [Need.RESIDENCE_PERMIT, Need.LANGUAGE_COURSE], case.needs)
    check("languages", case.languages == ["fr", "wo"], case.languages)
    check("version 1", case.version == 1, case.version)
    created_etag = strong_etag("create the case", created)
    location = created.headers.get("Location", "")
    check("Location names the new case", location.endswith(f"/api/v1/cases/{case.id}"), location)
    replay = create_case.sync_detailed(client=operator, body=intake, idempotency_key=idempotency_key)
    replayed = expect("repeat the POST with the same Idempotency-Key", replay, 201, Case)
    check("the repeat replays the first case", replayed.id == case.id, (replayed.id, case.id))
    case_id = case.id

    step("operator: add a second family member")
    spouse = expect(
        "add the spouse",
        create_family_member.sync_detailed(
            case_id,
            client=operator,
            body=CreateFamilyMember(
                relationship=Relationship.SPOUSE,
                given_name="Ousmane",
                family_name="Diallo",
                sex=Sex.MALE,
                citizenship=CountryCode.SN,
                lives_with_beneficiary=False,
            ),
        ),
        201,
        FamilyMember,
    )
    check("family member of the case", spouse.case_id == case.id, spouse.case_id)
    check("relationship", spouse.relationship == Relationship.SPOUSE, spouse.relationship)
    check("lives_with_beneficiary as sent", spouse.lives_with_beneficiary is False, spouse.lives_with_beneficiary)
    check("dependent defaults to false", spouse.dependent is False, spouse.dependent)
    family = expect(
        "list the family", list_family_members.sync_detailed(case_id, client=operator), 200, PageFamilyMember
    )
    by_name = {member.given_name: member for member in family.items}
    check("the family has the child and the spouse", sorted(by_name) == ["Moussa", "Ousmane"], sorted(by_name))
    child = by_name["Moussa"]
    check("child", child.relationship == Relationship.CHILD and child.dependent is True, child)
    check("child lives with the beneficiary by default", child.lives_with_beneficiary is True, child)
    check("child's birth date", child.birth_date == datetime.date(2016, 3, 2), child.birth_date)

    step("operator: record an intervention")
    intervention = expect(
        "add the intervention",
        create_intervention.sync_detailed(
            case_id,
            client=operator,
            body=CreateIntervention(
                kind=InterventionKind.ORIENTATION,
                occurred_on=today,
                summary="Orientation on the permit renewal procedure",
                duration_minutes=30,
                follow_up_on=today + datetime.timedelta(days=30),
            ),
        ),
        201,
        Intervention,
    )
    check("intervention of the case", intervention.case_id == case.id, intervention.case_id)
    check("done by the operator by default", intervention.operator_id == operator_user.id, intervention.operator_id)
    check("kind", intervention.kind == InterventionKind.ORIENTATION, intervention.kind)
    check("occurred_on", intervention.occurred_on == today, intervention.occurred_on)
    check("duration", intervention.duration_minutes == 30, intervention.duration_minutes)
    interventions = expect(
        "list the interventions", list_interventions.sync_detailed(case_id, client=operator), 200, PageIntervention
    )
    check("the intervention is listed", [i.id for i in interventions.items] == [intervention.id], interventions)

    step("operator: find the case in the case list")
    page = expect("list cases", list_cases.sync_detailed(client=operator, q="diallo amina", limit=10), 200, PageCase)
    check("exactly one case matches", [c.id for c in page.items] == [case.id], [c.id for c in page.items])
    check("the listed case has its reference code", page.items[0].reference_code == case.reference_code)
    check("one page only", page.next_cursor is None or page.next_cursor is UNSET, page.next_cursor)
    by_code = expect(
        "list cases by reference code",
        list_cases.sync_detailed(client=operator, reference_code=case.reference_code),
        200,
        PageCase,
    )
    check("found by reference code", [c.id for c in by_code.items] == [case.id], [c.id for c in by_code.items])

    step("operator: read the case and its ETag")
    read = get_case.sync_detailed(case_id, client=operator)
    current = expect("get the case", read, 200, Case)
    check("same case", current.id == case.id and current.given_name == "Amina", current.id)
    etag = strong_etag("get the case", read)
    check("unchanged since it was created: same ETag", etag == created_etag, (etag, created_etag))

    step("operator: change it with a JSON merge patch under If-Match")
    patched = update_case.sync_detailed(
        case_id,
        client=operator,
        if_match=etag,
        body=UpdateCase(
            phone="+39 333 7654321",  # replace
            email="amina.diallo@example.org",  # set
            birth_place=None,  # clear: serialised as null, which merge patch reads as "remove"
            needs=[Need.RESIDENCE_PERMIT, Need.EMPLOYMENT],  # replace the whole list
        ),
    )
    updated = expect("patch the case", patched, 200, Case)
    check("phone replaced", updated.phone == "+39 333 7654321", updated.phone)
    check("email set", updated.email == "amina.diallo@example.org", updated.email)
    check("birth place cleared", updated.birth_place is None, updated.birth_place)
    check("needs replaced", updated.needs == [Need.RESIDENCE_PERMIT, Need.EMPLOYMENT], updated.needs)
    check("fields not in the patch kept", updated.languages == ["fr", "wo"] and updated.sex == Sex.FEMALE, updated)
    check("version moved on by one", updated.version == current.version + 1, updated.version)
    new_etag = strong_etag("patch the case", patched)
    check("a new ETag", new_etag != etag, new_etag)
    reread = expect("get the case again", get_case.sync_detailed(case_id, client=operator), 200, Case)
    check("the change is stored", reread.phone == "+39 333 7654321" and reread.birth_place is None, reread)

    step("operator: patch again with the old ETag: 412 problem+json, nothing changed")
    stale = update_case.sync_detailed(case_id, client=operator, if_match=etag, body=UpdateCase(phone="+39 333 0000000"))
    problem = expect("patch with a stale If-Match", stale, 412, Problem)
    content_type = stale.headers.get("Content-Type", "")
    check("problem+json", content_type.startswith("application/problem+json"), content_type)
    check("problem status", problem.status == 412, problem.status)
    check("problem type", problem.type_ == "urn:sportello:problem:precondition_failed", problem.type_)
    check("problem instance", problem.instance == f"/api/v1/cases/{case.id}", problem.instance)
    after = get_case.sync_detailed(case_id, client=operator)
    unchanged = expect("get the case after the refused patch", after, 200, Case)
    check("the refused patch changed nothing", unchanged.phone == "+39 333 7654321", unchanged.phone)
    check("the ETag did not move", after.headers.get("ETag") == new_etag, after.headers.get("ETag"))

    step("admin: a provider of the network linked to another organization, and a member of its staff")
    caritas = expect(
        "create the provider's organization",
        create_organization.sync_detailed(
            client=admin,
            body=CreateOrganization(name="Caritas Crema", kind=OrganizationKind.CHARITY, code="CR-CARITAS"),
        ),
        201,
        Organization,
    )
    provider = expect(
        "create the provider",
        create_provider.sync_detailed(
            client=admin,
            body=CreateProvider(
                name="Caritas Crema - centro di ascolto", category=ProviderCategory.CHARITY, organization_id=caritas.id
            ),
        ),
        201,
        Provider,
    )
    staff_password = f"Staff-{uuid.uuid4().hex}"
    expect(
        "create the provider's staff member",
        create_user.sync_detailed(
            client=admin,
            body=CreateUser(
                username="l.bianchi",
                display_name="Lucia Bianchi",
                role=Role.PROVIDER_STAFF,
                password=staff_password,
                organization_id=caritas.id,
            ),
        ),
        201,
        User,
    )

    step("operator: record the person's consent to share with the network, and refer the case")
    consent = expect(
        "record the consent",
        create_consent.sync_detailed(
            case_id, client=operator, body=CreateConsent(purpose=ConsentPurpose.NETWORK_SHARING, evidence="Signed form")
        ),
        201,
        Consent,
    )
    check("the consent is in force", consent.in_force is True, consent.in_force)
    referral = expect(
        "refer the case",
        create_referral.sync_detailed(
            case_id,
            client=operator,
            body=CreateReferral(
                provider_id=provider.id, need=Need.HOUSING, urgency=Urgency.URGENT, reason="Evicted last week"
            ),
        ),
        201,
        Referral,
    )
    check("sent at once", referral.status == ReferralStatus.REQUESTED, referral.status)
    check("covered by the consent", referral.consent_id == consent.id, referral.consent_id)

    step("provider staff: find it in the inbox and close the loop")
    staff = log_in("l.bianchi", staff_password)
    inbox = expect(
        "list received referrals",
        list_referrals.sync_detailed(client=staff, direction=ListReferralsDirection.RECEIVED),
        200,
        PageReferral,
    )
    check("the referral is in the inbox", [r.id for r in inbox.items] == [referral.id], inbox.items)
    person = inbox.items[0].person
    check("the provider sees the person's name", person is not None and person.given_name == "Amina", person)
    for status in [ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED]:
        moved = expect(
            f"move the referral to {status}",
            move_referral.sync_detailed(referral.id, client=staff, body=MoveReferral(status=status)),
            200,
            Referral,
        )
        check("the new status", moved.status == status, moved.status)
    events = expect(
        "the referral's history", list_referral_events.sync_detailed(referral.id, client=operator), 200, PageReferralEvent
    )
    check("five moves recorded", [e.to_status for e in events.items][-1] == ReferralStatus.COMPLETED and len(events.items) == 5, events.items)

    step("admin: register a Wolof mediator with a login in the desk's registry")
    mediator_password = f"Mediator-{uuid.uuid4().hex}"
    mediator_user = expect(
        "create the mediator's account",
        create_user.sync_detailed(
            client=admin,
            body=CreateUser(
                username="a.sow",
                display_name="Aissatou Sow",
                role=Role.PROFESSIONAL,
                password=mediator_password,
                organization_id=org.id,
            ),
        ),
        201,
        User,
    )
    mediator = expect(
        "register the mediator",
        create_professional.sync_detailed(
            client=admin,
            body=CreateProfessional(
                registry_organization_id=org.id,
                kind=ProfessionalKind.INTERCULTURAL_MEDIATOR,
                given_name="Aissatou",
                family_name="Sow",
                languages=[SpokenLanguage(code=LanguageCode.WO, level=LanguageLevel.NATIVE)],
                sectors=[Sector.HEALTH],
                user_id=mediator_user.id,
            ),
        ),
        201,
        Professional,
    )

    step("operator: request a mediator for the case, rank the candidates, assign the first")
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
    activation = expect(
        "request a mediator",
        create_activation.sync_detailed(
            client=operator,
            body=CreateActivation(
                case_id=case_id,
                kind=ProfessionalKind.INTERCULTURAL_MEDIATOR,
                language=LanguageCode.WO,
                sector=Sector.HEALTH,
                scheduled_at=when,
                place="Consultorio familiare, Via Gramsci 13",
                duration_minutes=60,
                urgency=ActivationUrgency.URGENT,
            ),
        ),
        201,
        Activation,
    )
    check(
        "the deadline is 24 hours after the request",
        activation.deadline_at - activation.requested_at == datetime.timedelta(hours=24),
        (activation.requested_at, activation.deadline_at),
    )
    candidates = expect(
        "rank the candidates", list_candidates.sync_detailed(activation.id, client=operator), 200, CandidateList
    )
    check("the mediator ranks first", candidates.items[0].professional.id == mediator.id, candidates.items)
    expect(
        "assign the mediator",
        move_activation.sync_detailed(
            activation.id,
            client=operator,
            body=MoveActivation(status=ActivationStatus.ASSIGNED, professional_id=mediator.id),
        ),
        200,
        Activation,
    )

    step("mediator: see the assignment, confirm it, complete it")
    professional = log_in("a.sow", mediator_password)
    assignments = expect("list my assignments", list_assignments.sync_detailed(client=professional), 200, PageAssignment)
    check("one assignment, naming the person", [a.person_name for a in assignments.items] == ["Amina Diallo"], assignments.items)
    for body in [
        AnswerAssignment(status=ActivationStatus.CONFIRMED),
        AnswerAssignment(status=ActivationStatus.COMPLETED, worked_minutes=70, outcome="Visit held"),
    ]:
        answered = expect(
            f"answer {body.status}",
            answer_assignment.sync_detailed(activation.id, client=professional, body=body),
            200,
            Assignment,
        )
        check("the new status", answered.status == body.status, answered.status)

    print(f"Scenario passed: {step_number} steps, case {case.reference_code}")


if __name__ == "__main__":
    main()
