"""Amounts in Chinese capital numerals (大写金额), as written on quotes, contracts and invoices.

Rules followed (the usual ones of Chinese banking practice, 《支付结算办法》附件):
- digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 inside a group of four, then 万 and 亿
  (壹万贰仟亿 for 1.2 × 10^12: 万亿 is 万 of 亿);
- one 零 stands for any run of zeros between two non-zero digits, also across a
  group boundary (1001 → 壹仟零壹元, 100010 → 壹拾万零壹拾元), none at the end;
- 10–19 keep their 壹 (壹拾元, not 拾元), as banks require;
- a whole amount ends in 整 (元整); with cents: 角 and 分, 零 when the 角 is zero
  and there are 分 after whole yuan (10.05 → 壹拾元零伍分); 元 followed by 角 without
  a 零 (12.30 → 壹拾贰元叁角整); amounts below one yuan have no 元 (0.05 → 伍分);
- zero is 零元整; a negative amount starts with 负.
Amounts are rounded half up to cents first; up to 9999万亿 (10^16 − 1 yuan).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ["", "拾", "佰", "仟"]
MAX_YUAN = 10**16 - 1
CENT = Decimal("0.01")


def _group_words(group: int) -> str:
    """0 < group < 10000 as words, with inner zeros but no leading or trailing 零."""
    words = []
    digits = f"{group:04d}"
    pending_zero = False
    started = False
    for index, char in enumerate(digits):
        digit = int(char)
        if digit == 0:
            pending_zero = started
            continue
        if pending_zero:
            words.append("零")
            pending_zero = False
        words.append(DIGITS[digit] + SMALL_UNITS[3 - index])
        started = True
    return "".join(words)


def _yuan_words(yuan: int) -> str:
    """A positive whole number of yuan as words (no 元): 亿 splits first, then 万.

    A zero is written when the lower part does not fill its span (壹亿零壹佰万, 壹万零壹),
    so 2,000,300,000,000 reads 贰万零叁亿, not 贰万亿零叁亿.
    """
    if yuan >= 10**8:
        span, unit = 10**8, "亿"
    elif yuan >= 10**4:
        span, unit = 10**4, "万"
    else:
        return _group_words(yuan)
    high, low = divmod(yuan, span)
    words = _yuan_words(high) + unit
    if low:
        if low < span // 10:
            words += "零"
        words += _yuan_words(low)
    return words


def amount_in_chinese_capitals(amount: Decimal | int | str) -> str:
    """`Decimal("12345.67")` → "壹万贰仟叁佰肆拾伍元陆角柒分"; `1001` → "壹仟零壹元整".

    Raises ValueError for a value that is not a finite number or is beyond 万亿.
    """
    value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
    if not value.is_finite():
        raise ValueError("not a finite amount")
    value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "负" if value < 0 else ""
    value = abs(value)
    cents_total = int(value * 100)
    yuan, cents = divmod(cents_total, 100)
    if yuan > MAX_YUAN:
        raise ValueError("amount too large")
    jiao, fen = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return "零元整"
    words = ""
    if yuan:
        words = _yuan_words(yuan) + "元"
    if cents == 0:
        return sign + words + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif yuan:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    else:
        words += "整"
    return sign + words
