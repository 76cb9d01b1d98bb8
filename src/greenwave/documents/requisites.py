"""Our own requisites: bank identifiers and accounts (INN/KPP/OGRN are checked by crm's rules),
the signatory's name and position in the genitive («в лице Генерального директора Иванова
Ивана Ивановича»), and Russian amounts in words for invoices."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from num2words import num2words
from petrovich.enums import Case, Gender
from petrovich.main import Petrovich

from greenwave.core.errors import DomainError
from greenwave.crm.requisites import compact

from .errors import DocumentsError

_WEIGHTS = (7, 1, 3) * 8  # the Bank of Russia control key of an account (23 digits)


def _invalid(field: str, message: str, value: str) -> DomainError:
    return DomainError(
        DocumentsError.INVALID_REQUISITES, message, details={"field": field, "value": value}
    )


def normalize_bik(value: str) -> str:
    raw = compact(value)
    if not (raw.isdigit() and len(raw) == 9 and raw.startswith("04")):
        raise _invalid("bik", _("A BIK has 9 digits and starts with 04."), value)
    return raw


def _key_ok(digits: str) -> bool:
    return sum(int(d) * w % 10 for d, w in zip(digits, _WEIGHTS, strict=False)) % 10 == 0


def _agreeing(field: str, raw: str, *, bik: str, ok: bool, message: str, value: str) -> str:
    """`raw` when the account agrees with its bank's BIK (`ok`); otherwise the refusal
    `message`, naming both, for `field` — a typo in either shows here."""
    if not ok:
        raise _invalid(field, message % {"account": raw, "bik": bik}, value)
    return raw


def normalize_account(value: str, *, bik: str) -> str:
    """A settlement account: 20 digits whose control key agrees with the bank's BIK."""
    raw = compact(value)
    if not (raw.isdigit() and len(raw) == 20):
        raise _invalid("account", _("A settlement account has 20 digits."), value)
    ok = _key_ok(bik[-3:] + raw)
    message = _("The account %(account)s does not match the BIK %(bik)s: check both for a typo.")
    return _agreeing("account", raw, bik=bik, ok=ok, message=message, value=value)


def normalize_corr_account(value: str, *, bik: str) -> str:
    """A correspondent account: 20 digits, starts with 301, ends with the BIK's last three."""
    raw = compact(value)
    if not (raw.isdigit() and len(raw) == 20 and raw.startswith("301")):
        raise _invalid(
            "corr_account", _("A correspondent account has 20 digits and starts with 301."), value
        )
    ok = raw[-3:] == bik[-3:] and _key_ok("0" + bik[4:6] + raw)
    message = _("The correspondent account %(account)s does not match the BIK %(bik)s.")
    return _agreeing("corr_account", raw, bik=bik, ok=ok, message=message, value=value)


_petrovich = Petrovich()

# The words positions are made of, in the genitive; an unknown word is kept as written
# (the admin corrects the genitive field by hand).
_POSITION_GENITIVE = {
    "генеральный": "генерального",
    "исполнительный": "исполнительного",
    "коммерческий": "коммерческого",
    "финансовый": "финансового",
    "технический": "технического",
    "главный": "главного",
    "индивидуальный": "индивидуального",
    "управляющий": "управляющего",
    "директор": "директора",
    "президент": "президента",
    "председатель": "председателя",
    "руководитель": "руководителя",
    "предприниматель": "предпринимателя",
    "бухгалтер": "бухгалтера",
    "заместитель": "заместителя",
    "начальник": "начальника",
    "менеджер": "менеджера",
    "специалист": "специалиста",
    "юрист": "юриста",
    "финансист": "финансиста",
    "ведущий": "ведущего",
    "старший": "старшего",
}
# The same in the dative («Генеральному директору …», the addressee of an application).
_POSITION_DATIVE = {
    "генеральный": "генеральному",
    "исполнительный": "исполнительному",
    "коммерческий": "коммерческому",
    "финансовый": "финансовому",
    "технический": "техническому",
    "главный": "главному",
    "индивидуальный": "индивидуальному",
    "управляющий": "управляющему",
    "директор": "директору",
    "президент": "президенту",
    "председатель": "председателю",
    "руководитель": "руководителю",
    "предприниматель": "предпринимателю",
    "заместитель": "заместителю",
    "начальник": "начальнику",
}


def _gender(middle: str, first: str) -> Gender:
    if middle.endswith(("вна", "чна", "кызы")):
        return Gender.FEMALE
    if middle.endswith(("вич", "ич", "оглы")):
        return Gender.MALE
    return Gender.FEMALE if first.endswith(("а", "я")) else Gender.MALE


def _name_in(full_name: str, case: Case) -> str:
    parts = full_name.split()
    if len(parts) < 2:
        return full_name.strip()
    last, first, middle = parts[0], parts[1], parts[2] if len(parts) > 2 else ""
    gender = _gender(middle, first)
    words = [
        _petrovich.lastname(last, case, gender),
        _petrovich.firstname(first, case, gender),
    ]
    if middle:
        words.append(_petrovich.middlename(middle, case, gender))
    return " ".join([*words, *parts[3:]])


def name_genitive(full_name: str) -> str:
    """«Иванов Иван Иванович» → «Иванова Ивана Ивановича» (surname first, as in contracts)."""
    return _name_in(full_name, Case.GENITIVE)


def name_dative(full_name: str) -> str:
    """«Иванов Иван Иванович» → «Иванову Ивану Ивановичу» (to whom an application goes)."""
    return _name_in(full_name, Case.DATIVE)


def _position_in(position: str, table: dict[str, str]) -> str:
    out = []
    for word in position.split():
        lowered = word.lower()
        declined = table.get(lowered)
        if declined is None:
            out.append(word)
        else:
            out.append(declined.capitalize() if word[:1].isupper() else declined)
    return " ".join(out)


def position_genitive(position: str) -> str:
    """«Генеральный директор» → «Генерального директора»; unknown words stay as they are."""
    return _position_in(position, _POSITION_GENITIVE)


def position_dative(position: str) -> str:
    """«Генеральный директор» → «Генеральному директору»; unknown words stay as they are."""
    return _position_in(position, _POSITION_DATIVE)


def initials(full_name: str) -> str:
    """«Иванов Иван Иванович» → «Иванов И. И.» (the signature line)."""
    parts = full_name.split()
    if not parts:
        return ""
    return " ".join([parts[0], *(f"{p[0]}." for p in parts[1:3])])


def _plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def amount_in_words(amount: Decimal) -> str:
    """«Сто двадцать пять тысяч рублей 50 копеек»: num2words (lang ru, currency RUB) for the
    roubles with their agreement, the copecks in digits as accountants write them."""
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    roubles = int(amount)
    copecks = int((amount - roubles) * 100)
    words = num2words(amount, lang="ru", to="currency", currency="RUB")
    rouble_part = str(words).split(",")[0].strip()
    text = f"{rouble_part} {copecks:02d} {_plural(copecks, 'копейка', 'копейки', 'копеек')}"
    return text[:1].upper() + text[1:]
