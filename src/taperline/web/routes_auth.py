"""Landing, sign-up, sign-in and sign-out pages.

Sign-up refuses passwords on the common-password list and answers at most
``max_signups_per_address_hour`` sign-ups per client address per hour (accounts made and
"already registered" answers alike, so probing which addresses have accounts is as slow);
past that it shows the form again (typed fields kept, the password not) with 429 and
Retry-After.

Sign-in answers the same "e-mail address or password is wrong" whether or not the account
exists, checks a dummy hash for unknown addresses so both take the same time, is throttled
per address and per account and address (429 with Retry-After; see
:mod:`taperline.web.security`: strangers slow themselves down, never lock the owner out),
and starts a new session with a new token every time (a session id is never reused across
sign-ins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from taperline.adapters.storage.accounts import Role, User
from taperline.core.record import AGE_BANDS, Profile
from taperline.errors import ConflictError, InputError, SafetyError
from taperline.web.auth import (
    Viewer,
    clear_session_cookie,
    client_address,
    optional_viewer,
    set_session_cookie,
)
from taperline.web.context import Services, services
from taperline.web.errors import ThrottledError, status_for
from taperline.web.forms import Form, FormInput, in_words
from taperline.web.pages import local_path, redirect, render
from taperline.web.profile_form import PROFILE_LABELS, read_profile
from taperline.web.security import (
    SIGNUP_WINDOW,
    account_key,
    check_password_rules,
    hash_token,
    new_token,
    signup_wait,
    throttle_address,
    throttle_wait,
)

__all__ = ["normal_email", "router", "start_session"]

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
MaybeViewer = Annotated[Viewer | None, Depends(optional_viewer)]
_EMAIL_RE: Final = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
WRONG: Final = "The e-mail address or password is wrong."


def normal_email(text: str) -> str:
    """An e-mail address, trimmed and lower-cased; refused when it cannot be one."""
    email = text.strip().lower()
    if len(email) > 254 or not _EMAIL_RE.match(email):  # noqa: PLR2004 -- RFC 5321 path limit
        raise InputError("email: give an e-mail address such as name@example.org")
    return email


def home_of(user: User) -> str:
    """Where a user lands after signing in."""
    return "/dashboard" if user.is_patient else "/clinician"


def start_session(
    request: Request, svc: Services, user: User, target: str, *, remembered: bool = False
) -> Response:
    """A new session for ``user`` (the old one, if any, ends), then go to ``target``.

    ``remembered``: kept on this device (the longer limits); only a patient's session is.
    """
    old: Viewer | None = getattr(request.state, "viewer", None)
    if old is not None:
        svc.accounts.revoke_session(old.user.id, old.session.id)
    token = new_token()
    kept = remembered and user.is_patient  # a clinician's session always ends after 30 min idle
    svc.accounts.create_session(
        user.id,
        hash_token(token),
        now=svc.now(),
        user_agent=request.headers.get("user-agent", "")[:200],
        address=client_address(request),
        remembered=kept,
    )
    response = redirect(target)
    set_session_cookie(response, request, svc, token, remembered=kept)
    return response


# --- landing and health -------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def landing(request: Request, viewer: MaybeViewer) -> Response:
    """Home: the dashboard or patient list when signed in, else what taperline is."""
    if viewer is not None:
        return redirect(home_of(viewer.user))
    return render(request, "landing.html", viewer=None)


@router.get("/healthz")
def health() -> JSONResponse:
    """Liveness: the process answers (no database access)."""
    return JSONResponse({"status": "ok"})


# --- sign up ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignUp:
    """The checked fields of the sign-up form."""

    role: Role
    email: str
    password: str
    display_name: str
    profile: Profile | None


def _read_signup(form: FormInput) -> SignUp:
    role = form.text("role", "patient", max_len=20)
    if role not in {"patient", "clinician"}:
        raise InputError("role: choose patient or clinician")
    email = normal_email(form.text("email", max_len=400))
    password = form.text("password", max_len=4096)
    check_password_rules(password, email=email)
    name = form.text("display_name", max_len=200) or (
        "Patient" if role == "patient" else "Clinician"
    )
    profile = read_profile(form, name) if role == "patient" else None
    return SignUp(role, email, password, name, profile)  # type: ignore[arg-type]  # role checked above


def _signup_page(
    request: Request,
    values: dict[str, Any],
    error: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    context = {"values": values, "error": in_words(error, PROFILE_LABELS), "age_bands": AGE_BANDS}
    response = render(request, "signup.html", context, viewer=None, status_code=status)
    response.headers.update(headers or {})
    return response


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request, viewer: MaybeViewer) -> Response:
    """The sign-up form."""
    if viewer is not None:
        return redirect(home_of(viewer.user))
    role = "clinician" if request.query_params.get("role") == "clinician" else "patient"
    return _signup_page(request, {"role": role})


def _claim_signup(request: Request, svc: Services) -> int:
    """Count this sign-up against the address's limit (atomically), or raise 429."""
    now, limit = svc.now(), svc.settings.max_signups_per_address_hour
    claim = svc.accounts.claim_signup(
        throttle_address(client_address(request)),
        now=now,
        window=SIGNUP_WINDOW,
        limit=limit,
        wait=lambda recent: signup_wait(recent, now, svc.settings),
    )
    if claim.attempt_id is not None:
        return claim.attempt_id
    minutes = -(-int(claim.wait.total_seconds()) // 60)  # rounded up: never "0 minutes"
    raise ThrottledError(
        "Too many sign-ups have come from your network in the last hour."
        f" Please try again in about {minutes} minute{'s' if minutes != 1 else ''}.",
        int(claim.wait.total_seconds()) + 1,
    )


@router.post("/signup", response_class=HTMLResponse)
def signup(request: Request, form: Form, svc: Svc) -> Response:
    """Create an account (and, for a patient, their record); sign in at once.

    Limited per client address (see :func:`~taperline.web.security.signup_wait`): accounts
    made and "already registered" answers count towards the limit, forms with a mistake
    do not.
    """
    values = {k: v[0] for k, v in form.raw().items() if k not in {"password", "csrf_token"}}
    try:
        attempt = _claim_signup(request, svc)
    except ThrottledError as error:
        retry = {"Retry-After": str(max(1, error.retry_after_s))}
        return _signup_page(request, values, str(error), status_for(error), retry)
    try:
        user = _create_account(svc, _read_signup(form))
    except ConflictError as error:  # "already registered": counted, like an account made
        return _signup_page(request, values, str(error), status_for(error))
    except (InputError, SafetyError) as error:  # SafetyError: a regimen above the maximum
        svc.accounts.release_attempt(attempt)
        return _signup_page(request, values, str(error), status_for(error))
    svc.accounts.finish_attempt(attempt, user_id=user.id, success=True)
    svc.accounts.audit(user, user.person_id, "write", "account created", svc.now())
    return start_session(request, svc, user, home_of(user))


def _create_account(svc: Services, given: SignUp) -> User:
    from taperline.service import create_account

    return create_account(
        svc.store,
        svc.accounts,
        email=given.email,
        hash_password=lambda: svc.passwords.hash(given.password),
        role=given.role,
        display_name=given.display_name,
        profile=given.profile,
        now=svc.now(),
    )


# --- sign in and out ----------------------------------------------------------------------


def _signin_page(request: Request, email: str = "", error: str = "", status: int = 200) -> Response:
    target = local_path(request.query_params.get("next", ""), "")
    context = {"email": email, "error": error, "next": target}
    return render(request, "signin.html", context, viewer=None, status_code=status)


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, viewer: MaybeViewer) -> Response:
    """The sign-in form."""
    if viewer is not None:
        return redirect(home_of(viewer.user))
    return _signin_page(request)


def _claim_signin(request: Request, svc: Services, key: str) -> int:
    """Check the throttle and record this attempt in one step (see ``claim_attempt``)."""
    now = svc.now()
    claim = svc.accounts.claim_attempt(
        "signin",
        key,
        throttle_address(client_address(request)),
        now=now,
        address_window=svc.settings.address_window,
        wait=lambda state: throttle_wait(state, now, svc.settings),
    )
    if claim.attempt_id is not None:
        return claim.attempt_id
    raise ThrottledError(
        "Too many failed sign-ins. Wait a little and try again, or reset your password"
        " with the people who run this site.",
        int(claim.wait.total_seconds()) + 1,
    )


@router.post("/signin", response_class=HTMLResponse)
def signin(request: Request, form: Form, svc: Svc) -> Response:
    """Check the password (throttled) and start a new session."""
    raw_email = form.text("email", max_len=400)
    password = form.text("password", max_len=4096)
    email = raw_email.strip().lower()[:254]
    attempt = _claim_signin(request, svc, account_key(svc.settings.secret_key, email))
    found = svc.accounts.credentials(email)
    ok, rehashed = svc.passwords.verify_and_update(password, found[1] if found else None)
    user = found[0] if found else None
    if ok and user is not None and rehashed is not None:
        svc.accounts.set_password(user.id, rehashed)  # the settings' parameters from now on
    svc.accounts.finish_signin(
        attempt, user_id=user.id if user else None, success=ok, now=svc.now()
    )
    if not ok or user is None:
        return _signin_page(request, raw_email[:254], WRONG, 401)
    target = local_path(form.text("next", max_len=500), home_of(user))
    return start_session(request, svc, user, target, remembered=form.has("remember"))


@router.post("/signout")
def signout(request: Request, form: Form, svc: Svc, viewer: MaybeViewer) -> Response:
    """End this session."""
    del form  # checked for its CSRF token only
    response = redirect("/?done=signed-out")
    if viewer is not None:
        svc.accounts.revoke_session(viewer.user.id, viewer.session.id)
    clear_session_cookie(response, request, svc)
    return response
