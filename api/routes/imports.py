"""``POST /v1/imports``: upload a bundle (zipped CSV folder or .xlsx) and write it to the store."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO, Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile

from tanlian.api.deps import ParkAdminDep, StoreDep
from tanlian.api.problems import AUTH_ERRORS, PayloadTooLarge, problem_responses
from tanlian.api.schemas.imports import ImportResult
from tanlian.api.tenancy import foreign_rows, other_parks_present
from tanlian.errors import AccessDenied, RowError, ValidationFailed

router = APIRouter(prefix="/v1", tags=["imports"])

#: Largest upload and largest total uncompressed size of an archive (bytes).
MAX_UPLOAD = 50 * 2**20
MAX_UNZIPPED = 50 * 2**20
_CHUNK = 2**20


def _invalid(name: str, reason: str) -> ValidationFailed:
    return ValidationFailed([RowError(name, None, None, None, reason)])


def _copy(src: IO[bytes], dst: IO[bytes], budget: int, what: str) -> int:
    """Copy at most ``budget`` bytes; PayloadTooLarge past it. Returns the bytes copied."""
    done = 0
    while chunk := src.read(_CHUNK):
        done += len(chunk)
        if done > budget:
            raise PayloadTooLarge(f"{what} exceeds {budget // 2**20} MB")
        dst.write(chunk)
    return done


def safe_member(name: str) -> PurePosixPath:
    """The member path, refusing absolute paths, drive letters and ``..`` (zip-slip)."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise _invalid(name, "unsafe path in archive (absolute or containing '..')")
    return path


def extract_bundle(archive: Path, dest: Path, name: str) -> Path:
    """Unzip the CSV files of ``archive`` into ``dest`` safely; return the bundle folder."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _invalid(name, f"not a readable zip archive: {exc}") from exc
    budget, folders = MAX_UNZIPPED, set()
    with zf:
        for info in zf.infolist():
            path = safe_member(info.filename)
            if info.is_dir() or path.suffix.lower() != ".csv" or path.parts[0] == "__MACOSX":
                continue
            target = dest.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, target.open("wb") as out:
                    budget -= _copy(src, out, budget, "uncompressed archive")
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
                raise _invalid(name, f"cannot extract {info.filename}: {exc}") from exc
            folders.add(target.parent)
    if len(folders) != 1:
        reason = "no CSV files in archive" if not folders else "CSV files must be in one folder of the archive"
        raise _invalid(name, reason)
    return folders.pop()


@router.post("/imports", response_model=ImportResult, responses=problem_responses(*AUTH_ERRORS, 400, 413))
def import_upload(
    admin: ParkAdminDep,
    store: StoreDep,
    file: Annotated[UploadFile, File(description="a zip of bundle CSV files, or an .xlsx workbook")],
    replace: Annotated[bool, Query(description="make the store equal to the bundle")] = False,
    allow_extra: Annotated[
        bool, Query(description="unknown tables and columns are notes (columns kept as extras), not errors")
    ] = False,
    allow_implausible: Annotated[bool, Query(description="keep values beyond their plausibility bound")] = False,
    replace_tables: Annotated[
        str, Query(description="with replace: comma-separated tables absent from the bundle to delete")
    ] = "",
) -> dict[str, Any]:
    """Validate and import a bundle (all or nothing; 422 lists every invalid row)."""
    from tanlian.connectors.bundle import load_bundle, replace_guard
    from tanlian.seed_data.library import factor_library

    name = PurePosixPath((file.filename or "upload").replace("\\", "/")).name or "upload"
    tmp = Path(tempfile.mkdtemp(prefix="tanlian-import-"))
    try:
        is_xlsx = name.lower().endswith((".xlsx", ".xlsm"))
        upload = tmp / ("bundle.xlsx" if is_xlsx else "upload.zip")
        with upload.open("wb") as out:
            _copy(file.file, out, MAX_UPLOAD, "upload")
        bundle = upload if is_xlsx else extract_bundle(upload, tmp / "bundle", name)
        existing = store.snapshot()
        if replace and other_parks_present(existing, admin.park):
            raise AccessDenied("replace would remove other parks' data from this store")
        loaded = load_bundle(
            bundle,
            existing=None if replace else existing,
            allow_extra=allow_extra,
            allow_implausible=allow_implausible,
        )
        if replace:
            replace_guard(loaded, lambda etype: len(existing.table(etype)), replace_tables.split(","))
        foreign = foreign_rows(loaded.graph, existing, admin.park, factor_library())
        if foreign:
            more = f" (+{len(foreign) - 5} more)" if len(foreign) > 5 else ""
            raise AccessDenied(f"the bundle writes outside park {admin.park}: {'; '.join(foreign[:5])}{more}")
        summary = store.import_graph(loaded.graph, replace=replace)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "added": summary.added,
        "changed": summary.changed,
        "unchanged": summary.unchanged,
        "removed": summary.removed,
        "revision": summary.revision_after,
        "notes": loaded.notes + loaded.warnings,
    }
