"""The admin policy section ``[plugins.admin]``: every number and name with the sources' default."""

from __future__ import annotations

from typing import Any

import attrs

from agency_core.errors import InvalidInput

__all__ = ["AdminPolicy"]


def _days(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{attribute.name} must be a whole number of days >= 0, not {value!r}")


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{attribute.name} must be a whole number of days >= 1, not {value!r}")


def _name(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{attribute.name} must be a non-empty name, not {value!r}")


def _named(default: str) -> Any:
    return attrs.field(default=default, validator=_name)


@attrs.frozen
class AdminPolicy:
    """ADM-01..ADM-08: the admin department's approval actions, duties, roles and periods."""

    seal_action: str = _named("seal_use")
    """ADM-01: the approval action of a seal use application (印章使用申请表, 经审批后使用)."""
    approve_seal_duty: str = _named("approve_seal_use")
    """SOD-03: the duty an approver of a seal use performs on the application."""
    apply_seal_duty: str = _named("apply_seal")
    """SOD-03: the duty of the person who applies the seal (segregation.dynamic pairs the two)."""
    custodian_role: str = _named("seal_custodian")
    """ADM-08, SOD-02: the role of a seal's custodian (公司印章由专人负责保管)."""
    seal_return_days: int = attrs.field(default=0, validator=_days)
    """ADM-08: days after the day of use by which the seal is back with its custodian
    (使用完毕后应及时归还: 0, the same day)."""
    supplies_action: str = _named("supplies_requisition")
    """ADM-03: the action a supplies requisition is approved under (经部门负责人审批后领取)."""
    repair_action: str = _named("equipment_repair")
    """ADM-04: the action an equipment repair is approved under (维修申请表, 经审批后维修)."""
    scrapping_action: str = _named("equipment_scrapping")
    """ADM-04: the action an equipment scrapping is approved under (报废按规定程序审批)."""
    asset_purchase_action: str = _named("fixed_asset_purchase")
    """ADM-07: the action a fixed-asset purchase is approved under (购置按审批流程进行审批)."""
    asset_number_prefix: str = _named("ZC")
    """ADM-07: the prefix of fixed-asset numbers (编号和登记)."""
    asset_register_days: int = attrs.field(default=0, validator=_days)
    """ADM-07: days after acceptance by which a fixed asset is registered (购置后应及时入账: 0)."""
    stocktake_interval_days: int = attrs.field(default=365, validator=_positive)
    """ADM-07: the longest time between two stocktakes of an asset (定期清查盘点: yearly)."""
