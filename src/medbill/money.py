"""Money: a Decimal amount quantized to cents.

Floats are rejected because binary fractions cannot represent cents exactly; rounding is always explicit
(ROUND_HALF_UP unless the call site names another mode).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True, order=True)
class Money:
    amount: Decimal

    def __post_init__(self) -> None:
        if isinstance(self.amount, float) or not isinstance(self.amount, Decimal):
            raise TypeError("Money takes a Decimal (or use Money.of with a str or int), never a float")
        if not self.amount.is_finite():
            raise ValueError("Money must be finite")
        if self.amount != self.amount.quantize(CENT):
            raise ValueError("Money has at most two decimal places; round explicitly with Money.rounded")

    @classmethod
    def of(cls, value: str | int | Decimal) -> Money:
        if isinstance(value, float):
            raise TypeError("Money.of does not take a float")
        try:
            return cls(Decimal(value))
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {value!r}") from exc

    @classmethod
    def rounded(cls, value: Decimal, rounding: str = ROUND_HALF_UP) -> Money:
        return cls(value.quantize(CENT, rounding=rounding))

    @classmethod
    def zero(cls) -> Money:
        return cls(Decimal("0.00"))

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + other.amount)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - other.amount)

    def __neg__(self) -> Money:
        return Money(-self.amount)

    def times(self, factor: Decimal | int, rounding: str = ROUND_HALF_UP) -> Money:
        if isinstance(factor, float):
            raise TypeError("multiply Money by a Decimal or int, never a float")
        return Money.rounded(self.amount * factor, rounding)

    def __str__(self) -> str:
        return f"{self.amount:.2f}"
