"""The bodies a client sends, checked strictly: exactly the fields a link has, each of its type, and
an `isp_ref` that is an opaque token. No other field is accepted, so nothing about a child (a name,
a date of birth, a UPN) can be stored by mistake; the error names the field refused."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from indexer.content.model import ITEM_ID_PATTERN

# 16-64 letters, digits, '_' or '-': long enough for a random token, and no room for a name with
# spaces, a date with slashes or dots, or an email address. A 13-character UPN is too short.
ISP_REF_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
ISP_REF_RULE = (
    "isp_ref must be an opaque token your system generates, 16 to 64 of A-Z, a-z, 0-9, '_' and '-', "
    "holding no date and no UPN (never a name, a date of birth or a UPN: a random token, such as a UUID)"
)


# Shapes that would be personal data whatever else surrounds them: a date (2014-05-01, 01_05_2014,
# 20140501) or a UPN (a letter, eleven digits, a check character). A random token practically never
# holds either (eight digits in a row from base64url: about 1 in 3 million), so none is refused.
PERSONAL_SHAPES = (
    re.compile(r"(19|20)[0-9]{2}[-_]?(0[1-9]|1[0-2])[-_]?(0[1-9]|[12][0-9]|3[01])"),
    re.compile(r"(0[1-9]|[12][0-9]|3[01])[-_](0[1-9]|1[0-2])[-_](19|20)[0-9]{2}"),
    re.compile(r"[A-Z][0-9]{11}[0-9A-Z]"),
)


class BadBody(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class LinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    isp_ref: Annotated[str, Field(pattern=ISP_REF_PATTERN)]

    @field_validator("isp_ref")
    @classmethod
    def _no_personal_shapes(cls, value: str) -> str:
        if any(shape.search(value) for shape in PERSONAL_SHAPES):
            raise ValueError("it holds a date or a UPN")
        return value

    item_id: Annotated[str, Field(pattern=ITEM_ID_PATTERN)]
    version: Annotated[int, Field(ge=1)] | None = None  # None: the latest


class BulkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    links: list[Any]
    if_exists: Literal["fail", "skip"] = "fail"  # skip: a plan that already links the item is passed over


class WebhookRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    url: Annotated[str, Field(min_length=1, max_length=2000)]


def parse(model: type[BaseModel], body: Any, where: str = "") -> BaseModel:
    """The body as `model`, or BadBody naming the first field that is wrong (`where` prefixes it,
    e.g. `links[3].`)."""
    if not isinstance(body, dict):
        raise BadBody("invalid-body", f"{where.rstrip('.') or 'The body'} must be a JSON object.")
    try:
        return model.model_validate(body)
    except ValidationError as invalid:
        error = invalid.errors()[0]
        field = where + ".".join(str(part) for part in error["loc"])
        allowed = ", ".join(model.model_fields)
        if error["type"] == "extra_forbidden":
            raise BadBody("unknown-field", f"Unknown field '{field}': only {allowed} are accepted.") from None
        if error["type"] == "missing":
            raise BadBody("missing-field", f"Field '{field}' is required.") from None
        if error["loc"] and error["loc"][-1] == "isp_ref":
            raise BadBody("invalid-isp-ref", f"Field '{field}': {ISP_REF_RULE}.") from None
        if error["loc"] and error["loc"][-1] == "item_id":
            raise BadBody("invalid-field", f"Field '{field}' must be an item ID such as INT-0502.") from None
        raise BadBody("invalid-field", f"Field '{field}': {error['msg']}.") from None
