"""Sleep from devices beside the diary: the patient's upload page and the clinician's view.

``/sleep/devices`` shows the last four weeks of nights, the diary's and the device's side by
side with their difference in words, the imports (each can be undone), the source to prefer,
and a form to upload an export. An upload is streamed to a temporary file (multipart, up to
:data:`MAX_UPLOAD_BYTES`: this route lifts the app's small body limit), then read; a file
over :data:`BACKGROUND_FROM_BYTES` is read in a background thread while the page polls its
progress (htmx), and the page shows the result either way. Jobs live in this process's
memory: the result of an import is stored, only its progress message is lost on a restart.
The clinician's page (``/clinician/patients/{id}/device-sleep``) has the same nights with
the findings switch (off unless turned on for that patient).
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile
from starlette.routing import Route

from taperline.adapters.devices import Kind
from taperline.core.device_sleep import DeviceSleepSettings
from taperline.errors import InputError, NotFoundError, TaperlineError
from taperline.service.device_sleep import (
    DeviceImportResult,
    device_sleep_view,
    import_device_sleep,
    prefer_device_source,
    save_device_sleep_settings,
    undo_device_import,
)
from taperline.web.auth import (
    ClinicianViewer,
    PatientViewer,
    Viewer,
    require_patient,
    shared_person,
)
from taperline.web.context import Services, services
from taperline.web.errors import CsrfError, status_for
from taperline.web.forms import Form, IdPath
from taperline.web.pages import redirect, render
from taperline.web.security import csrf_matches

__all__ = ["BACKGROUND_FROM_BYTES", "MAX_UPLOAD_BYTES", "jobs", "router"]

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]

#: The largest upload taken (a whole Apple Health export can be several GB).
MAX_UPLOAD_BYTES: Final = 8 * 1024**3
#: Files from this size on are read in the background while the page shows progress.
BACKGROUND_FROM_BYTES: Final = 2 * 1024**2
KINDS: Final[dict[Kind, str]] = {
    "apple-health": "Apple Health (export.zip or export.xml)",
    "fitbit": "Fitbit or Google (the Takeout zip, a sleep-….json file, or the Fitbit CSV)",
    "sleep-csv": "Another watch, ring or app (the sleep CSV)",
}
#: Uploads whose progress or result this process keeps (the oldest are forgotten).
KEPT_JOBS: Final = 500
_SUFFIXES: Final = (".zip", ".xml", ".json", ".csv")


@dataclass(slots=True)
class Job:
    """An upload being read: whose, how far, and how it ended."""

    person_id: int
    file_name: str
    dry_run: bool
    state: Literal["reading", "done", "failed"] = "reading"
    done_bytes: int = 0
    size_bytes: int = 0
    error: str = ""
    result: DeviceImportResult | None = field(default=None)

    @property
    def percent(self) -> int:
        """How much of the file was read (0-100)."""
        return min(100, 100 * self.done_bytes // self.size_bytes) if self.size_bytes else 0


class Jobs:
    """This process's uploads, by a random id (a person sees only their own)."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def add(self, job: Job) -> str:
        """Keep ``job`` (and the newest :data:`KEPT_JOBS` others); its id."""
        job_id = secrets.token_urlsafe(12)
        with self._lock:
            self._jobs[job_id] = job
            while len(self._jobs) > KEPT_JOBS:
                del self._jobs[next(iter(self._jobs))]
        return job_id

    def get(self, job_id: str, person_id: int) -> Job | None:
        """The person's job ``job_id``, if there is one."""
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.person_id == person_id else None


jobs = Jobs()


def _run(svc: Services, job: Job, kind: Kind, path: Path) -> None:
    def progress(done: int, size: int) -> None:
        job.done_bytes, job.size_bytes = done, size

    try:
        job.result = import_device_sleep(
            svc.store,
            job.person_id,
            kind,
            path,
            now=svc.now(),
            dry_run=job.dry_run,
            progress=progress,
            file_name=job.file_name,
        ).summary()  # the file's records are stored (or not): the page needs the counts
        job.state = "done"
    except TaperlineError as error:
        job.error, job.state = str(error).replace(str(path), job.file_name), "failed"
    except Exception:  # the page must say it failed, whatever happened
        logging.getLogger(__name__).exception("device sleep upload %s", job.file_name)
        job.error, job.state = "the file could not be read; nothing was imported", "failed"
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


def _page(
    request: Request,
    viewer: Viewer,
    svc: Services,
    pid: int,
    *,
    error: str = "",
    status: int = 200,
    job: Job | None = None,
    job_id: str = "",
) -> HTMLResponse:
    view = device_sleep_view(svc.store, pid, now=svc.now())
    context: dict[str, Any] = {
        "view": view,
        "pid": pid,
        "kinds": KINDS,
        "error": error,
        "job": job,
        "job_id": job_id,
        "name": "" if viewer.user.is_patient else svc.accounts.patient_name(pid),
    }
    return render(request, "device_sleep.html", context, viewer=viewer, status_code=status)


@router.get("/sleep/devices", response_class=HTMLResponse)
def devices_page(request: Request, viewer: PatientViewer, svc: Svc) -> Response:
    """The nights beside the diary, the imports, and the upload form (with a job's result)."""
    pid = viewer.person_id
    svc.accounts.audit(viewer.user, pid, "read", "device sleep", svc.now())
    job_id = request.query_params.get("job", "")
    job = jobs.get(job_id, pid) if job_id else None
    return _page(request, viewer, svc, pid, job=job, job_id=job_id)


@router.get("/sleep/devices/jobs/{job_id}", response_class=HTMLResponse)
def job_status(job_id: str, request: Request, viewer: PatientViewer) -> Response:
    """An upload's progress or result (the part of the page htmx replaces while it runs)."""
    job = jobs.get(job_id, viewer.person_id)
    if job is None:
        raise NotFoundError("no such upload (the server may have restarted: look at the list)")
    return render(
        request, "_device_job.html", {"job": job, "job_id": job_id}, viewer=viewer, banner=False
    )


async def upload(request: Request) -> Response:
    """Take an uploaded export (multipart: kind, file, dry_run, csrf_token) and read it."""
    import anyio.to_thread

    from taperline.web.auth import optional_viewer, require_viewer

    svc: Services = request.app.state.services
    # Before the body is read: only a signed-in patient's upload is read at all.
    found = await anyio.to_thread.run_sync(optional_viewer, request, svc)
    viewer = await require_patient(await require_viewer(found))
    pid = viewer.person_id
    async with request.form(max_files=1, max_fields=10) as form:
        given = request.headers.get("x-csrf-token") or str(form.get("csrf_token") or "")
        binding = f"session:{viewer.session.token_hash}"
        if not csrf_matches(svc.settings.secret_key, binding, given):
            raise CsrfError("this form has expired; go back, reload the page and try again")
        kind = next((k for k in KINDS if k == form.get("kind")), None)
        file = form.get("file")
        if kind is not None and isinstance(file, UploadFile) and file.filename:
            return await _take(svc, viewer, pid, kind, file, dry_run=bool(form.get("dry_run")))
    problem = "Choose what kind of file it is." if kind is None else "Choose the file to upload."
    return await anyio.to_thread.run_sync(
        lambda: _page(request, viewer, svc, pid, error=problem, status=422)
    )


async def _take(
    svc: Services, viewer: Viewer, pid: int, kind: Kind, file: UploadFile, *, dry_run: bool
) -> Response:
    """Copy the upload to a file of its own and read it (here, or in the background)."""
    import anyio.to_thread

    name = Path(file.filename or "upload").name[:200]
    suffix = next((s for s in _SUFFIXES if name.lower().endswith(s)), ".bin")
    folder = Path(tempfile.mkdtemp(prefix="taperline-upload-"))
    path = folder / f"upload{suffix}"
    try:
        with path.open("wb") as out:
            await _copy(file, out)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    job = Job(pid, name, dry_run=dry_run)
    job_id = jobs.add(job)
    what = f"device sleep upload {name}"
    await anyio.to_thread.run_sync(svc.accounts.audit, viewer.user, pid, "write", what, svc.now())
    if path.stat().st_size >= BACKGROUND_FROM_BYTES:
        threading.Thread(target=_run, args=(svc, job, kind, path), daemon=True).start()
    else:
        await anyio.to_thread.run_sync(_run, svc, job, kind, path)
    return redirect(f"/sleep/devices?job={job_id}")


async def _copy(file: UploadFile, out: Any) -> None:
    while chunk := await file.read(1 << 20):
        out.write(chunk)


# The app allows small bodies only; this one route takes a whole export.
router.routes.append(
    Route(
        "/sleep/devices/upload",
        upload,
        methods=["POST"],
        include_in_schema=False,
        max_body_size=MAX_UPLOAD_BYTES,
    )
)


@router.post("/sleep/devices/imports/{import_id}/undo", response_class=HTMLResponse)
def undo(
    import_id: IdPath, request: Request, viewer: PatientViewer, form: Form, svc: Svc
) -> Response:
    """Remove an import's records."""
    del form  # checked for its CSRF token only
    pid = viewer.person_id
    try:
        undo_device_import(svc.store, pid, import_id, now=svc.now())
    except InputError as error:
        return _page(request, viewer, svc, pid, error=str(error), status=status_for(error))
    svc.accounts.audit(viewer.user, pid, "write", f"device sleep undo {import_id}", svc.now())
    return redirect("/sleep/devices")


@router.post("/sleep/devices/source", response_class=HTMLResponse)
def prefer(request: Request, viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """The source to use on nights several recorded (empty: the rule's order)."""
    pid = viewer.person_id
    chosen = form.text("source", max_len=200) or None
    try:  # a source with no stored sleep is refused, as on the command line
        prefer_device_source(svc.store, pid, chosen, by=viewer.user.display_name, now=svc.now())
    except InputError as error:
        return _page(request, viewer, svc, pid, error=str(error), status=status_for(error))
    svc.accounts.audit(viewer.user, pid, "write", "device sleep preferred source", svc.now())
    return redirect("/sleep/devices")


@router.get("/clinician/patients/{person_id}/device-sleep", response_class=HTMLResponse)
def clinician_page(
    person_id: IdPath, request: Request, viewer: ClinicianViewer, svc: Svc
) -> Response:
    """A patient's device sleep beside their diary, with the findings switch."""
    pid = shared_person(svc, viewer, person_id)
    svc.accounts.audit(viewer.user, pid, "read", "device sleep", svc.now())
    return _page(request, viewer, svc, pid)


@router.post("/clinician/patients/{person_id}/device-sleep", response_class=HTMLResponse)
def clinician_switch(
    person_id: IdPath, request: Request, viewer: ClinicianViewer, form: Form, svc: Svc
) -> Response:
    """Turn on or off device sleep feeding findings for this patient."""
    del request
    pid = shared_person(svc, viewer, person_id)
    current = svc.store.device_sleep_settings(pid)
    settings = DeviceSleepSettings(current.preferred_source, in_findings=form.has("in_findings"))
    by = viewer.user.display_name
    save_device_sleep_settings(svc.store, pid, settings, by=by, now=svc.now())
    what = "on" if settings.in_findings else "off"
    svc.accounts.audit(viewer.user, pid, "write", f"device sleep in findings {what}", svc.now())
    return redirect(f"/clinician/patients/{pid}/device-sleep")
