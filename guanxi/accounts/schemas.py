"""REST API schemas for sign-in tokens, the current user, users and teams."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from guanxi.platform.api_support import Id, InSchema

LanguageCode = Literal["zh-hans", "en"]
RoleCode = Annotated[str, Field(min_length=1, max_length=50)]


class TokenIn(InSchema):
    username: Annotated[str, Field(min_length=1, max_length=150)]
    password: Annotated[str, Field(min_length=1, max_length=4096)]
    name: Annotated[str, Field(max_length=100)] = ""


class TokenOut(Schema):
    token: str
    name: str
    prefix: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    language: str
    time_zone: str
    role: str | None
    role_name: str | None
    data_scope: str
    team: int | None
    team_name: str | None
    is_superuser: bool
    permissions: list[str]


class UserIn(InSchema):
    username: Annotated[str, Field(min_length=1, max_length=150)]
    password: Annotated[str, Field(min_length=1, max_length=4096)]
    display_name: Annotated[str, Field(max_length=100)] = ""
    email: Annotated[str, Field(max_length=254)] = ""
    phone: Annotated[str, Field(max_length=40)] = ""
    role: RoleCode | None = Field(None, description="Role code, e.g. sales")
    team: Id | None = None
    language: LanguageCode = "zh-hans"


class UserPatchIn(InSchema):
    username: Annotated[str, Field(min_length=1, max_length=150)] = None  # type: ignore[assignment]
    display_name: Annotated[str, Field(max_length=100)] = None  # type: ignore[assignment]
    email: Annotated[str, Field(max_length=254)] = None  # type: ignore[assignment]
    phone: Annotated[str, Field(max_length=40)] = None  # type: ignore[assignment]
    role: RoleCode | None = None
    team: Id | None = None
    language: LanguageCode = None  # type: ignore[assignment]
    time_zone: Annotated[str, Field(max_length=64)] = None  # type: ignore[assignment]
    is_active: bool = None  # type: ignore[assignment]
    version: Id | None = None


class UserOut(Schema):
    id: int
    version: int
    username: str
    display_name: str
    email: str
    phone: str
    role: str | None
    role_name: str | None
    team: int | None
    team_name: str | None
    language: str
    time_zone: str
    is_active: bool
    last_login: dt.datetime | None


class UserListOut(Schema):
    items: list[UserOut]


class UserFilter(Schema):
    include_inactive: bool = False


class TeamIn(InSchema):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    parent: Id | None = None
    manager: Id | None = None


class TeamPatchIn(InSchema):
    name: Annotated[str, Field(min_length=1, max_length=100)] = None  # type: ignore[assignment]
    parent: Id | None = None
    manager: Id | None = None
    version: Id | None = None


class TeamOut(Schema):
    id: int
    version: int
    name: str
    parent: int | None
    manager: int | None
    manager_name: str | None
    path: str
    depth: int


class TeamListOut(Schema):
    items: list[TeamOut]
