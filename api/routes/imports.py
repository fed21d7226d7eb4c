"""``POST /v1/imports``: upload a bundle (zipped CSV folder or .xlsx) and write it to the store."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO, Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile

from tanlian.api.audit import record_import
from tanlian.api.deps import ParkAdminDep, StoreDep
from tanlian.api.problems import AUTH_ERRORS, PayloadTooLarge, problem_responses
from tanlian.api.schemas.imports import ImportResult
from tanlian.api.tenancy import TenancyGuard, stamp_owners
from tanlian.errors import RowError, ValidationFailed
from tanlian.graph.model import Enterprise
from tanlian.graph.snapshot import TableSnapshot

router = APIRouter(prefix="/v1", tags=["imports"])

#: Largest upload and largest total uncompressed size of an archive (bytes).
MAX_UPLOAD = 50 * 2**20
MAX_UNZIPPED = 50 * 2**20
_CHUNK = 2**20


def _invalid(name: str, reason: str) -> ValidationFailed:
    return ValidationFailed([RowError(name, None, None, None, reason)])


def _copy(src: IO[bytes], dst: IO[bytes], budget: int, what: str, limit: int, digest=None) -> int:
    """Copy at most ``budget`` bytes (``limit``: the whole allowance, for the message);
    PayloadTooLarge past it. Returns the bytes copied; ``digest`` (hashlib) sees every byte."""
    done = 0
    while chunk := src.read(_CHUNK):
        done += len(chunk)
        if done > budget:
            raise PayloadTooLarge(f"{what} exceeds the limit of {limit // 2**20} MiB ({limit} bytes)")
        if digest is not None:
            digest.update(chunk)
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
                    budget -= _copy(src, out, budget, "uncompressed archive", MAX_UNZIPPED)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
                raise _invalid(name, f"cannot extract {info.filename}: {exc}") from exc
            folders.add(target.parent)
    if len(folders) != 1:
        reason = "no CSV files in archive" if not folders else "CSV files must be in one folder of the archive"
        raise _invalid(name, reason)
    return folders.pop()


@router.post("/imports", response_model=ImportResult, responses=problem_responses(*AUTH_ERRORS, 400, 409, 413))
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
    """Validate and import a bundle (all or nothing; 422 lists every invalid row).

    A park admin writes its park's enterprises and the outside enterprises its park created
    (403 otherwise); a platform admin writes every park. The tenancy check runs in the write
    transaction, which also requires the store to be at the revision the bundle was validated
    against (409 when another write came first: retry). Every accepted import is audited.
    """
    from tanlian.connectors.bundle import load_bundle, replace_guard
    from tanlian.seed_data.library import factor_library

    name = PurePosixPath((file.filename or "upload").replace("\\", "/")).name or "upload"
    tmp = Path(tempfile.mkdtemp(prefix="tanlian-import-"))
    digest = hashlib.sha256()
    try:
        is_xlsx = name.lower().endswith((".xlsx", ".xlsm"))
        upload = tmp / ("bundle.xlsx" if is_xlsx else "upload.zip")
        with upload.open("wb") as out:
            _copy(file.file, out, MAX_UPLOAD, "upload", MAX_UPLOAD, digest)
        bundle = upload if is_xlsx else extract_bundle(upload, tmp / "bundle", name)
        read: list[TableSnapshot] = []  # the snapshot of the bundle's year it is validated against

        def existing(year: int | None) -> TableSnapshot:
            read.append(store.snapshot_tables(year))
            return read[-1]

        loaded = load_bundle(
            bundle,
            existing=None if replace else existing,
            allow_extra=allow_extra,
            allow_implausible=allow_implausible,
        )
        snapshot = read[0] if read else store.snapshot_tables(loaded.year)
        if replace:
            replace_guard(loaded, lambda etype: snapshot.table(etype).num_rows, replace_tables.split(","))
        tables = loaded.arrow()
        tables["enterprise"] = stamp_owners(tables["enterprise"], snapshot.table(Enterprise), admin)
        guard = TenancyGuard(admin, factor_library())
        summary = store.import_tables(tables, replace=replace, expected_revision=snapshot.revision, guard=guard)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    record_import(store, admin, digest.hexdigest(), replace, summary, guard.parks)
    return {
        "added": summary.added,
        "changed": summary.changed,
        "unchanged": summary.unchanged,
        "removed": summary.removed,
        "revision": summary.revision_after,
        "notes": loaded.notes + loaded.warnings,
    }
