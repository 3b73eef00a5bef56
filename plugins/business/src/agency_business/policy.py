"""The business section of a policy file, ``[plugins.business]``: every number and list is data.

Defaults follow the sources: the case file holds the application materials, the processing
records and the result feedback documents (业务申请材料、处理过程记录、结果反馈文件); the client
is notified by phone, e-mail or text message, or in person or by post (电话、邮件、短信, 现场交付
或邮寄); the proof documents and the aftercare notes are handed over (证明文件、注意事项); intake
goes to the department manager then management, settlement to the department manager then
finance. The business scope and the materials each service item requires are the firm's own
(the sources leave them to it): the defaults below are an example to replace.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from agency_core.errors import InvalidInput

__all__ = ["SECTION", "BusinessPolicy", "ServiceItem"]

SECTION: Final = "business"
"""The section's name: ``[plugins.business]``."""

_CODE: Final = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
"""A code of 2 to 64 characters: a one-letter entry is what a string given for a list becomes."""


def _code(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _CODE.match(value):
        raise InvalidInput(f"{attribute.name} must be a lower-case code, not {value!r}")


def _codes(*, required: bool) -> Any:
    def validate(_inst: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
        if required and not value:
            raise InvalidInput(f"{attribute.name} must not be empty")
        for index, item in enumerate(value):
            if not isinstance(item, str) or not _CODE.match(item):
                raise InvalidInput(
                    f"{attribute.name}[{index}] must be a lower-case code, not {item!r}"
                )
        if len(set(value)) != len(value):
            raise InvalidInput(f"{attribute.name} lists an entry twice: {list(value)}")

    return validate


def _prefix(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{1,8}", value):
        raise InvalidInput(f"{attribute.name} must be 1 to 8 capital letters, not {value!r}")


def _days(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 366:
        raise InvalidInput(f"{attribute.name} must be a whole number of days 1..366, not {value!r}")


@attrs.frozen
class ServiceItem:
    """A service item in the firm's business scope and the materials an application needs."""

    name_zh: str = attrs.field(default="", validator=attrs.validators.instance_of(str))
    name_en: str = attrs.field(default="", validator=attrs.validators.instance_of(str))
    materials: tuple[str, ...] = attrs.field(default=(), validator=_codes(required=False))
    """The application materials required (BIZ-02: a notice lists every one that is missing)."""


def _services(value: Mapping[str, ServiceItem]) -> Mapping[str, ServiceItem]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"services must map service item codes to items, not {value!r}")
    for name, item in value.items():
        if not isinstance(name, str) or not _CODE.match(name):
            raise InvalidInput(f"services: {name!r} is not a lower-case code")
        if not isinstance(item, ServiceItem):
            raise InvalidInput(f"services.{name} must be a service item, not {item!r}")
    return MappingProxyType(dict(value))


_EXAMPLE_SCOPE: Final = {
    "company_registration": ServiceItem(
        "公司设立登记",
        "Company registration",
        ("application_form", "articles_of_association", "shareholder_ids", "premises_proof"),
    ),
    "tax_registration": ServiceItem(
        "税务登记",
        "Tax registration",
        ("application_form", "business_license", "legal_representative_id"),
    ),
    "trademark_filing": ServiceItem(
        "商标注册申请",
        "Trademark filing",
        ("application_form", "applicant_id", "trademark_specimen"),
    ),
}


@attrs.frozen
class BusinessPolicy:
    """``[plugins.business]``: every key is optional; these are the shipped defaults."""

    services: Mapping[str, ServiceItem] = attrs.field(
        factory=lambda: dict(_EXAMPLE_SCOPE), converter=_services
    )
    """The business scope (BIZ-01): the service items the firm takes on, with their materials."""
    case_number_prefix: str = attrs.field(default="BIZ", validator=_prefix)
    """Case numbers are ``PREFIX-YYYY-NNNNNN`` (BIZ-03), given once and never reused."""
    task_working_days: int = attrs.field(default=5, validator=_days)
    """A task's deadline when none is given, in working days after it is opened (BIZ-04)."""
    notify_channels: tuple[str, ...] = attrs.field(
        default=("phone", "email", "sms", "in_person", "post"), validator=_codes(required=True)
    )
    """How the client may be notified of the result (BIZ-06)."""
    handover: tuple[str, ...] = attrs.field(
        default=("proof_documents", "aftercare_notes"), validator=_codes(required=True)
    )
    """What is handed over to the client on delivery (BIZ-09)."""
    file_parts: tuple[str, ...] = attrs.field(
        default=("application_materials", "processing_records", "result_feedback"),
        validator=_codes(required=True),
    )
    """What a complete case file holds before the case closes (BIZ-08)."""
    intake_action: str = attrs.field(default="business_intake", validator=_code)
    """The approval action of the intake application (业务承接申请, BIZ-07)."""
    plan_action: str = attrs.field(default="execution_plan", validator=_code)
    """The approval action of the execution plan (执行计划, BIZ-07)."""
    plan_change_action: str = attrs.field(default="execution_plan_change", validator=_code)
    """The approval action of a change to the plan (BIZ-07)."""
    settlement_action: str = attrs.field(default="settlement", validator=_code)
    """The approval action of the settlement application (业务结算申请, BIZ-05)."""
    settlement_manager_role: str = attrs.field(default="dept_head", validator=_code)
    """The role whose approval of the settlement comes first (BIZ-05)."""
    settlement_finance_role: str = attrs.field(default="finance_manager", validator=_code)
    """The finance role whose approval of the settlement comes next (BIZ-05)."""

    def materials(self, service_item: str) -> frozenset[str]:
        """The materials ``service_item`` requires (none when it is outside the scope)."""
        item = self.services.get(service_item)
        return frozenset(item.materials) if item is not None else frozenset()
