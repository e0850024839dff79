"""A patient's profile as the sign-up and profile forms give it, with the regimen taken now."""

from __future__ import annotations

from taperline.core.record import AGE_BANDS, Profile, Regimen, read_doses
from taperline.errors import InputError
from taperline.web.forms import FormInput

__all__ = ["PROFILE_LABELS", "read_profile", "read_regimen"]

#: The sign-up and profile forms' fields as their labels say them (for errors: ``in_words``).
PROFILE_LABELS = {
    "display_name": "Your name",
    "email": "E-mail address",
    "password": "Password",
    "current_password": "Current password",
    "new_password": "New password",
    "time_zone": "Time zone",
    "age_band": "Age",
    "conditions": "Health conditions",
    "other_medicines": "Other medicines",
    "regimen_drug": "The medicine you take now",
    "regimen_doses": "Each dose and when you take it",
    "regimen": "The medicine you take now",
}


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def read_profile(form: FormInput, label: str) -> Profile:
    """A patient profile from a form (time zone checked against the IANA database)."""
    from taperline.zones import check_zone

    given = form.text("time_zone", max_len=64)
    if not given.strip():  # never a made-up zone: "today" and every time depend on it
        raise InputError("time_zone: choose the time zone you live in, e.g. Europe/London")
    time_zone = check_zone(given)
    age_band = form.text("age_band", max_len=20) or None
    if age_band is not None and age_band not in AGE_BANDS:
        raise InputError(f"age_band: choose one of {', '.join(AGE_BANDS)}")
    return Profile(
        time_zone,
        age_band,
        _names(form.text("conditions", max_len=1000)),
        _names(form.text("other_medicines", max_len=1000)),
        label=label,
        regimen=read_regimen(form),
    )


def read_regimen(form: FormInput) -> Regimen | None:
    """The regimen of ``regimen_drug`` and ``regimen_doses`` ('0.5 mg at 22:00, ...').

    Both empty: none (on the profile form, emptying them removes it).

    The daily maximum is checked when the profile is saved (``service.save_profile``).
    """
    drug = form.text("regimen_drug", max_len=200).strip()
    doses = form.text("regimen_doses", max_len=1000).strip()
    if not drug and not doses:
        return None
    if not drug:
        raise InputError("regimen_drug: say which medicine these doses are of, e.g. clonazepam")
    if not doses:
        raise InputError("regimen_doses: give each dose and when you take it, e.g. 0.5 mg at 22:00")
    try:
        return Regimen.of(drug, read_doses(doses))
    except InputError as error:
        raise InputError(f"regimen_doses: {str(error).removeprefix('regimen: ')}") from None
