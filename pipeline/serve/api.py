"""The HTTP API of a shared server (`create_api`): questions, references, comparisons, the document library, the
upload queue and its jobs, for programs that hold an API token. Every read goes through the scoped view of the
account's collections (`pipeline.store.scope`), so a reader never receives a byte of a document outside them;
uploads and removals are queued for the background `Worker`, never ingested in the request.

Answers have the shapes of the CLI's ``--json`` (``ask``, ``refs``, ``compare``, ``stats``); every error is
``{"error": {"status": 403, "message": "English (Tiếng Việt)"}}``. The OpenAPI schema is ``/api/openapi.json``
and its pages ``/api/docs``, served from the bundled Swagger UI files (no network needed).

FastAPI and Starlette load inside `create_api` (this module imports without them); the route functions are
defined there, their annotations evaluated where the names are in scope, hence no postponed annotations here.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.access.accounts import ACCESS_DB, Account, Accounts, Refused, Role
from pipeline.access.jobs import Jobs
from pipeline.serve.auth import authenticate, client_address
from pipeline.serve.limits import RateLimit
from pipeline.serve.service import LiveIndex
from pipeline.settings import Settings

PREFIX = "/api"
MAX_JSON_BYTES = 1_000_000  # a request body other than an upload is refused beyond this, before it is read
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and fields beside the file, on top of the upload limit
MAX_FILES = 20  # files one upload may carry
MAX_TOP_K = 100

_STATUS_TEXT = {400: "bad request (yêu cầu không hợp lệ)", 401: "not logged in (chưa đăng nhập)",
                403: "not allowed (không được phép)", 404: "not found (không tìm thấy)",
                405: "method not allowed (phương thức không được hỗ trợ)", 413: "too large (quá lớn)",
                429: "too many requests (quá nhiều yêu cầu)", 500: "internal error (lỗi máy chủ)",
                503: "not ready (chưa sẵn sàng)"}


@dataclass(frozen=True)
class Server:
    """What the routes share: the index folder, its settings, accounts, queue and live index, the limits, and
    `wake` (tell the worker a job was queued)."""

    root: Path
    settings: Settings
    accounts: Accounts
    jobs: Jobs
    live: LiveIndex
    limit: RateLimit  # requests per account
    failures: RateLimit  # requests without a valid token, per client address
    wake: Callable[[], None]


def error_body(status: int, message: str) -> dict:
    """The JSON of every error the API returns."""
    return {"error": {"status": status, "message": message}}


def refused_headers(e: Refused) -> dict[str, str]:
    """Headers that go with a refusal: when to try again (429), how to log in (401)."""
    headers = {}
    if e.retry_after is not None:
        headers["Retry-After"] = str(max(1, int(e.retry_after + 0.999)))
    if e.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return headers


def refuse(server: Server, account: Account, status: int, message: str, target: str, detail: dict) -> Refused:
    """A refusal of something `account` was not allowed to do, written to the audit log first."""
    server.accounts.audit(account.name, "refused", target, {**detail, "status": status})
    return Refused(status, message)


def create_api(root: str | os.PathLike, settings: Settings | None = None, live: LiveIndex | None = None,
               wake: Callable[[], None] | None = None) -> Any:
    """The FastAPI application serving the index folder `root` (`settings` default: the environment's; `live`:
    a `LiveIndex` of `root`; `wake`: called after a job is queued, e.g. `Worker.wake`)."""
    from fastapi import FastAPI

    settings = Settings.from_env() if settings is None else settings
    server = Server(Path(root), settings, Accounts(root), Jobs(root), live or LiveIndex(root),
                    RateLimit(settings.rate_per_minute, Path(root) / ACCESS_DB, "account"),
                    RateLimit(settings.rate_per_minute, Path(root) / ACCESS_DB, "address"), wake or (lambda: None))
    app = FastAPI(title="tracuu API", version="1", docs_url=None, redoc_url=None, openapi_url=f"{PREFIX}/openapi.json",
                  description="Search and cited answers over the documents of your collections. Send "
                              "`Authorization: Bearer <token>`.")
    app.state.server = server
    app.add_middleware(BodyLimit, limit=MAX_JSON_BYTES, upload_limit=settings.max_upload_bytes + FORM_OVERHEAD)
    _errors(app)
    from pipeline.serve import routes

    routes.add_read_routes(app, server)
    routes.add_library_routes(app, server)
    _docs(app)
    return app


class BodyLimit:
    """ASGI middleware: a request whose Content-Length is over the limit (`upload_limit` for an upload, `limit`
    otherwise) is answered 413 before its body is read."""

    def __init__(self, app: Any, limit: int, upload_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        """Pass the request on, unless it announces too large a body."""
        if scope["type"] == "http":
            length = dict(scope.get("headers") or ()).get(b"content-length", b"0")
            upload = scope["method"] == "POST" and scope["path"] == f"{PREFIX}/documents"
            limit = self.upload_limit if upload else self.limit
            if not length.isdigit() or int(length) > limit:
                from starlette.responses import JSONResponse

                message = (f"the request is larger than {limit / 1e6:.1f} MB — send a smaller one "
                           f"(yêu cầu quá lớn: tối đa {limit / 1e6:.1f} MB)")
                await JSONResponse(error_body(413, message), status_code=413)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _errors(app: Any) -> None:
    """Every error as ``{"error": {"status", "message"}}``: refusals, bad input, unknown routes, failures."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import JSONResponse

    from pipeline.ask.answer import QuestionTooLong
    from pipeline.store.layout import IndexUnavailable

    async def refused(request: Request, e: Exception) -> JSONResponse:
        assert isinstance(e, Refused)
        return JSONResponse(error_body(e.status, e.message), e.status, headers=refused_headers(e))

    async def invalid(request: Request, e: Exception) -> JSONResponse:
        assert isinstance(e, RequestValidationError)
        where = "; ".join(f"{'.'.join(map(str, x.get('loc', ())))}: {x.get('msg', '')}" for x in e.errors()[:5])
        return JSONResponse(error_body(400, f"bad request — {where[:500]} (yêu cầu không hợp lệ)"), 400)

    async def http(request: Request, e: Exception) -> JSONResponse:
        assert isinstance(e, HTTPException)
        text = _STATUS_TEXT.get(e.status_code, f"HTTP {e.status_code}")
        return JSONResponse(error_body(e.status_code, text), e.status_code, headers=dict(e.headers or {}))

    async def too_long(request: Request, e: Exception) -> JSONResponse:
        return JSONResponse(error_body(413, str(e)), 413)

    async def unavailable(request: Request, e: Exception) -> JSONResponse:
        return JSONResponse(error_body(503, f"{e} (chỉ mục chưa sẵn sàng)"), 503)

    async def failed(request: Request, e: Exception) -> JSONResponse:
        return JSONResponse(error_body(500, _STATUS_TEXT[500]), 500)

    app.add_exception_handler(Refused, refused)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(QuestionTooLong, too_long)
    app.add_exception_handler(IndexUnavailable, unavailable)
    app.add_exception_handler(Exception, failed)


def _docs(app: Any) -> None:
    """``/api/docs``: Swagger UI from the files of the ``swagger-ui-bundle`` package, served under ``/api/static``."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from starlette.responses import HTMLResponse
    from starlette.staticfiles import StaticFiles

    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError as e:
        raise ImportError("the API pages need swagger-ui-bundle: run `make install` "
                          "(pip install swagger-ui-bundle)") from e
    app.mount(f"{PREFIX}/static/swagger", StaticFiles(directory=str(swagger_ui_path)), name="swagger")
    static = f"{PREFIX}/static/swagger"

    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=f"{PREFIX}/openapi.json", title="tracuu API",
                                   swagger_js_url=f"{static}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{static}/swagger-ui.css",
                                   swagger_favicon_url=f"{static}/favicon-32x32.png")

    app.add_api_route(f"{PREFIX}/docs", docs, methods=["GET"], include_in_schema=False)


def who(server: Server) -> Callable[..., Account]:
    """The dependency that names the account of a request (`Refused` 401), within its rate (429)."""
    from starlette.requests import Request

    def account(request: Request) -> Account:
        peer = request.client.host if request.client else ""
        try:
            found = authenticate(server.accounts, peer, request.headers, server.settings)
        except Refused:
            if (wait := server.failures.take(client_address(peer, request.headers, server.settings))) is not None:
                raise Refused(429, f"too many requests without a valid token: wait {wait:.0f} s (quá nhiều yêu "
                                   f"cầu không hợp lệ: chờ {wait:.0f} giây)", retry_after=wait) from None
            raise
        if (wait := server.limit.take(found.name)) is not None:
            raise Refused(429, f"more than {server.settings.rate_per_minute:g} requests a minute: wait {wait:.0f} s "
                               f"(quá nhiều yêu cầu: chờ {wait:.0f} giây)", retry_after=wait)
        return found

    return account


def is_admin(account: Account) -> bool:
    """Whether `account` sees everything and everyone's jobs."""
    return account.role is Role.ADMIN
