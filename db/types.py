"""Column types: exact points stored as an integer count of hundredths, never as float."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class Points(TypeDecorator[Decimal]):
    """A Decimal with at most two places, stored as INTEGER hundredths (12.34 → 1234)."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | str | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        number = Decimal(value)
        scaled = number * 100
        if scaled != scaled.to_integral_value():
            raise ValueError(f"分数 {value} 超过两位小数，不能精确保存")
        return int(scaled)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(Decimal("0.01"))


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal kept exactly as its text (weights such as 0.7), never as float."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return str(Decimal(value).normalize()) if Decimal(value) != 0 else "0"

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value)
