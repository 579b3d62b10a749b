"""The routes of the API (`pipeline.serve.api.create_api` adds them): reads over the account's scoped view, and
the library (list, upload, remove) with its jobs. Every route but ``/api/health`` needs an account; a refusal
changes nothing, and one of something not allowed is written to the audit log.

FastAPI loads inside the two functions (see `pipeline.serve.api`), hence no postponed annotations here.
"""

import re
from typing import Annotated, Any

from pipeline.access.accounts import Account, Refused, Role
from pipeline.serve.api import FORM_OVERHEAD, MAX_FILES, MAX_TOP_K, PREFIX, Server, is_admin, refuse, who
from pipeline.types import DEFAULT_COLLECTION, collection_name

_YEARS_RE = re.compile(r"[,\s]+")


def _years(raw: list[str]) -> tuple[int, ...]:
    """``years=2022&years=2023`` or ``years=2022,2023`` as years; `Refused` 400 for anything else."""
    words = [w for r in raw for w in _YEARS_RE.split(r) if w]
    if not all(w.isdigit() and 1900 <= int(w) <= 2100 for w in words) or len(words) > 20:
        raise Refused(400, "years: give years such as 2022,2023 (năm không hợp lệ)")
    return tuple(int(w) for w in words)


def _documents(server: Server, account: Account) -> list[dict]:
    """The library rows `account` may see; an empty list while the index folder has no generation yet."""
    from pipeline.store.layout import current_generation
    from pipeline.store.library import document_rows

    if current_generation(server.root) is None:
        return []
    return document_rows(server.live.view(account.sees))


def add_read_routes(app: Any, server: Server) -> None:
    """Health, ask, refs, links, compare, stats and the document list."""
    from fastapi import Depends, Query
    from pydantic import BaseModel, Field

    import pipeline
    from pipeline.store.layout import IndexUnavailable
    from pipeline.store.library import stats_json

    Who = Annotated[Account, Depends(who(server))]

    class AskBody(BaseModel):
        question: str = Field(description="the question, diacritics optional")
        top_k: int = Field(5, ge=1, le=MAX_TOP_K, description="passages to return")
        docs: list[str] = Field(default_factory=list, max_length=20, description="only these documents")
        year: int | None = Field(None, description="only passages about this year")

    @app.get(f"{PREFIX}/health")
    def health() -> dict:
        """Whether the server answers, the generation it answers from, and the jobs waiting (no login)."""
        try:
            generation, status = server.live.current().name, "ok"
        except Refused as e:
            generation, status = None, "no index" if e.status == 503 and not server.live.last_error else "error"
        return {"status": status, "generation": generation, "pending_jobs": server.jobs.pending()}

    @app.post(f"{PREFIX}/ask")
    def ask(body: AskBody, account: Who) -> dict:
        """The answer to a question with its cited passages (the `tracuu ask --json` shape)."""
        limit = server.settings.max_question_chars
        if len(body.question) > limit and len(body.question.strip()) > limit:
            raise Refused(413, f"the question has {len(body.question)} characters, more than the {limit} allowed "
                               f"— ask it in fewer words (câu hỏi quá dài: tối đa {limit} ký tự)")
        answerer = server.live.answerer(account.sees)
        try:
            filters = pipeline.Filters(tuple(body.docs), body.year) if body.docs or body.year else None
            return answerer.ask(body.question, body.top_k, filters).to_json()
        except IndexUnavailable as e:  # a document filter that matches none of the account's documents
            raise Refused(404, str(e)) from None

    @app.get(f"{PREFIX}/refs")
    def refs(account: Who, q: Annotated[str, Query(max_length=300)]) -> dict:
        """The references a query names however it is typed (``qd 996``), with status and mentions."""
        return server.live.refs(account.sees).query_json(q)

    @app.get(f"{PREFIX}/links")
    def links(account: Who, doc: Annotated[str, Query(max_length=300)] = "") -> list[dict]:
        """Which documents cite which; only those citing or cited by `doc` when given."""
        catalog = server.live.refs(account.sees)
        try:
            docs = pipeline.match_docs(catalog.docs, doc) if doc else ()
        except IndexUnavailable as e:
            raise Refused(404, str(e)) from None
        return catalog.links_json(docs)

    @app.get(f"{PREFIX}/compare")
    def compare(account: Who, q: Annotated[str, Query(max_length=300)],
                years: Annotated[list[str] | None, Query()] = None) -> dict:
        """An indicator's targets and results by year (the `tracuu compare --json` shape)."""
        return server.live.comparer(account.sees)(q, _years(years or [])).to_json()

    @app.get(f"{PREFIX}/stats")
    def stats(account: Who) -> dict:
        """What the account's collections hold (the `tracuu stats --json` shape)."""
        gen = server.live.current()
        return stats_json(gen.view(account.sees), gen.index, where=gen.name)  # type: ignore[arg-type]

    @app.get(f"{PREFIX}/documents")
    def documents(account: Who) -> list[dict]:
        """The documents of the account's collections (the `tracuu stats --json` rows); none before the first
        ingest (an admin of a new server lists, then uploads)."""
        return _documents(server, account)


def add_library_routes(app: Any, server: Server) -> None:
    """Upload, remove, and the jobs that do it."""
    from fastapi import Depends, Request
    from starlette.concurrency import run_in_threadpool
    from starlette.datastructures import UploadFile
    from starlette.responses import JSONResponse

    Who = Annotated[Account, Depends(who(server))]
    upload_schema = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}},
                       "collection": {"type": "string", "default": DEFAULT_COLLECTION},
                       "replace": {"type": "boolean", "default": False}}}}}}}

    @app.post(f"{PREFIX}/documents", status_code=202, openapi_extra=upload_schema)
    async def upload(request: Request, account: Who) -> JSONResponse:
        """Queue uploaded files (form fields ``file``, ``collection``, ``replace``) for ingest: 202 with the job."""
        if account.role is Role.READER:
            raise await run_in_threadpool(refuse, server, account, 403, "a reader cannot upload: ask an admin for an "
                                          "editor account (tài khoản chỉ đọc không được tải lên)", "upload",
                                          {"why": "reader"})
        form = await request.form(max_files=MAX_FILES, max_fields=10, max_part_size=FORM_OVERHEAD)
        collection = _collection(str(form.get("collection") or DEFAULT_COLLECTION))
        if not account.can_edit(collection):
            raise await run_in_threadpool(refuse, server, account, 403, f"you cannot upload to '{collection}': "
                                          "only to your own collections (không có quyền với bộ sưu tập này)",
                                          collection, {"why": "collection"})
        uploads = [f for f in form.getlist("file") if isinstance(f, UploadFile)]
        limit = server.settings.max_upload_bytes
        if any((f.size or 0) > limit for f in uploads):
            raise Refused(413, f"a file is larger than the {limit / 1e6:.1f} MB limit (tệp quá lớn)")
        files = [(f.filename or "", await f.read()) for f in uploads]
        await run_in_threadpool(_check_names, server, account, [n for n, _ in files], form.get("replace"))
        job = await run_in_threadpool(server.jobs.submit_upload, files, collection, account.name,
                                      _flag(form.get("replace")))
        server.wake()
        return JSONResponse(job.to_json(), status_code=202)

    @app.delete(f"{PREFIX}/documents/{{name}}", status_code=202)
    def remove(name: str, account: Who) -> JSONResponse:
        """Queue the removal of one document of a collection the account edits: 202 with the job."""
        gen = server.live.current()
        doc = gen.view(account.sees).docs.get(name)
        if doc is None:
            raise Refused(404, f"no document '{name[:80]}' in your collections (không có tài liệu này)")
        if not account.can_edit(doc.collection):
            raise refuse(server, account, 403, f"you cannot remove documents of '{doc.collection}' (không có "
                                               "quyền xóa tài liệu này)", name, {"why": "collection"})
        job = server.jobs.submit_remove([name], account.name)
        server.wake()
        return JSONResponse(job.to_json(), status_code=202)

    @app.get(f"{PREFIX}/jobs")
    def jobs(account: Who) -> list[dict]:
        """The newest uploads and removals: the account's own (an admin's: everyone's)."""
        return [j.to_json() for j in server.jobs.recent(actor=None if is_admin(account) else account.name)]

    @app.get(f"{PREFIX}/jobs/{{job_id}}")
    def job(job_id: int, account: Who) -> dict:
        """One job and how far it got (the account's own; an admin any)."""
        found = server.jobs.get(job_id)
        if found is None or not (is_admin(account) or found.actor == account.name):
            raise Refused(404, f"no job {job_id} of yours (không có công việc này)")
        return found.to_json()


def _collection(raw: str) -> str:
    """A collection name as given, checked (`Refused` 400 for a path-like or empty one)."""
    try:
        return collection_name(raw)
    except ValueError as e:
        raise Refused(400, str(e)) from None


def _flag(raw: object) -> bool:
    return str(raw or "").strip().lower() in ("1", "true", "yes", "on")


def _check_names(server: Server, account: Account, names: list[str], replace: object) -> None:
    """Uploads named like an indexed document: refused unless the account may edit that document's collection
    (403, audited) and asked to replace it (409)."""
    from pipeline.access.permits import upload_clash
    from pipeline.store.layout import live_name
    from pipeline.store.library import safe_name

    try:
        safe = [safe_name(n) for n in names]
    except ValueError as e:
        raise Refused(400, str(e)) from None
    index = server.live.current().index if server.live.generation or live_name(server.root) else None
    clash = upload_clash(index, safe, account)
    if clash.forbidden:
        raise refuse(server, account, 403, f"{', '.join(clash.forbidden)}: a document of this name belongs to a "
                                           "collection you cannot edit — rename the file (tên tệp đã được dùng)",
                     clash.forbidden[0], {"why": "name"})
    if clash.replaces and not _flag(replace):
        raise Refused(409, f"{', '.join(clash.replaces)}: already indexed — upload again with replace=true, or "
                           "rename the file (đã có trong chỉ mục — thay thế?)")
