"""Who is asking: the account behind a request's bearer token (or, from the reverse proxy only, its single
sign-on header) and the client's address. Plain functions over the peer address and the headers, so that they
hold whatever serves the HTTP.

>>> from pipeline.settings import Settings
>>> behind = Settings(proxy="10.0.0.1")
>>> client_address("10.0.0.1", {"x-forwarded-for": "1.2.3.4, 192.168.1.9"}, behind)
'192.168.1.9'
>>> client_address("172.16.0.5", {"x-forwarded-for": "1.2.3.4"}, behind)  # not from the proxy: not believed
'172.16.0.5'
>>> bearer({"authorization": "Bearer tcu_abc"}), bearer({"authorization": "Basic eA=="})
('tcu_abc', '')
"""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.access.accounts import Account, Accounts, Refused
from pipeline.settings import Settings

NO_TOKEN = ("no API token: send the header `Authorization: Bearer <token>`; an admin creates tokens "
            "(thiếu mã truy cập API)")
BAD_TOKEN = "this API token is not valid (revoked or mistyped) — ask an admin for a new one (mã truy cập không hợp lệ)"


def bearer(headers: Mapping[str, str]) -> str:
    """The token of an ``Authorization: Bearer …`` header; "" when there is none."""
    kind, _, token = headers.get("authorization", "").strip().partition(" ")
    return token.strip() if kind.lower() == "bearer" else ""


def from_proxy(peer: str, settings: Settings) -> bool:
    """Whether the request comes from the reverse proxy of `settings` (never, when none is set)."""
    return bool(settings.proxy) and peer == settings.proxy


def client_address(peer: str, headers: Mapping[str, str], settings: Settings) -> str:
    """The client's address: `peer`, or, for a request from the proxy, the address the proxy appended to
    X-Forwarded-For (the last one; those before it are whatever the client claimed)."""
    if from_proxy(peer, settings):
        forwarded = headers.get("x-forwarded-for", "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return peer


def authenticate(accounts: Accounts, peer: str, headers: Mapping[str, str], settings: Settings) -> Account:
    """The account making the request: by its bearer token; without one, by the single sign-on header
    (`settings.trusted_header`) when the request comes from the proxy. `Refused` 401 otherwise."""
    token = bearer(headers)
    if token:
        found = accounts.by_token(token)
        if found is None:
            raise Refused(401, BAD_TOKEN)
        return found
    name = settings.sso_name(headers, peer)  # read from the proxy only
    found = accounts.get(name) if name and len(name) <= 60 else None
    if found is not None:
        return found
    raise Refused(401, NO_TOKEN)
