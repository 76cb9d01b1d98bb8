"""FEEL tokenizer: turns text into lark tokens, resolving names with spaces.

FEEL names may contain spaces, keywords and the symbols ``. / - ' + *`` (``Loan-to-value``,
``date and time``); the spec resolves them against the names known in scope. Plain
multi-word names (``Monthly Salary``) are merged by the grammar (``name: NAME+``); the
names listed here as *special* are matched greedily, longest first, before anything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from lark import Token

from feeldmn.errors import FeelSyntaxError

KEYWORDS: dict[str, str] = {
    "for": "FOR",
    "in": "IN",
    "return": "RETURN",
    "if": "IF",
    "then": "THEN",
    "else": "ELSE",
    "some": "SOME",
    "every": "EVERY",
    "satisfies": "SATISFIES",
    "and": "AND",
    "or": "OR",
    "between": "BETWEEN",
    "true": "TRUE",
    "false": "FALSE",
    "null": "NULL",
    "function": "FUNCTION",
    "external": "EXTERNAL",
}

# Built-in function and type names that contain a keyword or a symbol.
BUILTIN_SPECIAL_NAMES: frozenset[str] = frozenset(
    {
        "date and time",
        "years and months duration",
        "days and time duration",
    }
)

MAX_TEXT_LENGTH = 100_000
MAX_NESTING = 150

_PUNCT: list[tuple[str, str]] = [
    ("**", "POW"),
    ("..", "DOTDOT"),
    ("<=", "LE"),
    (">=", "GE"),
    ("!=", "NE"),
    ("->", "ARROW"),
    ("+", "PLUS"),
    ("-", "MINUS"),
    ("*", "STAR"),
    ("/", "SLASH"),
    ("<", "LT"),
    (">", "GT"),
    ("=", "EQ"),
    (".", "DOT"),
    (",", "COMMA"),
    (":", "COLON"),
    ("(", "LPAR"),
    (")", "RPAR"),
    ("[", "LSQB"),
    ("]", "RSQB"),
    ("{", "LBRACE"),
    ("}", "RBRACE"),
]

_WS = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)+", re.S)
_NUMBER = re.compile(r"(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?")
_NAME_START = "[^\\W\\d]|[\U00010000-\U000effff]"
_NAME_PART = "[\\w\u00b7\u0300-\u036f\u203f\u2040\U00010000-\U000effff]"
_NAME = re.compile(f"(?:{_NAME_START}){_NAME_PART}*|\\?")
# A context key written without quotes may hold any name symbol: {foo+bar: 1}.
_KEY_SCAN = re.compile(r"[{,]\s*([^\W\d][^:,{}\[\]()\"]*?)\s*:")
_CONTEXT_KEY = re.compile(r"([^\W\d][^:,{}\[\]()\"]*?)\s*:")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_INSTANCE_OF = re.compile(r"instance\s+of(?!\w)")
# A "[" followed by one of these ends a range ("]1..5[") instead of opening a filter.
_CLOSING_FOLLOWS = re.compile(r"\s*(?:$|[,)\]}]|(?:and|or|then|else|return|satisfies)\b)")
_PLAIN_NAME = re.compile(r"[^\W\d]\w*(?: [^\W\d]\w*)*")

# Tokens after which an operand has ended: a following "]" closes, otherwise it opens a
# range such as "]1..5]".
_OPERAND_END = frozenset(
    {"NAME", "NUMBER", "STRING", "AT_STRING", "TRUE", "FALSE", "NULL", "RPAR", "RSQB", "RBRACE"}
)


def is_special_name(name: str) -> bool:
    """True when the grammar alone cannot read ``name`` as one name."""
    if not _PLAIN_NAME.fullmatch(name):
        return True
    return any(word in KEYWORDS or word == "instance" for word in name.split(" "))


def special_names(names: Iterable[str]) -> frozenset[str]:
    return frozenset(n for n in names if n and is_special_name(n))


def _unescape(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        simple = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "'": "'", "\\": "\\"}
        if nxt in simple:
            out.append(simple[nxt])
            i += 2
        elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
            code = int(body[i + 2 : i + 6], 16)
            i += 6
            # A UTF-16 surrogate pair written as two \u escapes is one code point.
            if 0xD800 <= code < 0xDC00 and re.fullmatch(r"\\u[0-9a-fA-F]{4}", body[i : i + 6]):
                low = int(body[i + 2 : i + 6], 16)
                if 0xDC00 <= low < 0xE000:
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
            out.append(chr(code))
        elif nxt == "U" and re.fullmatch(r"[0-9a-fA-F]{6}", body[i + 2 : i + 8]):
            out.append(chr(int(body[i + 2 : i + 8], 16)))
            i += 8
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _position(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, column


class _Index:
    """Special names grouped by first character as regexes, longest name first.

    Words of a name may be separated by any whitespace in the text (``date and\n time``).
    """

    def __init__(self, names: frozenset[str]) -> None:
        grouped: dict[str, list[str]] = {}
        for name in sorted(names | BUILTIN_SPECIAL_NAMES, key=len, reverse=True):
            grouped.setdefault(name[0], []).append(name)
        self.by_first: dict[str, list[tuple[re.Pattern[str], str]]] = {
            first: [(_name_pattern(n), n) for n in group] for first, group in grouped.items()
        }


def _name_pattern(name: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(word) for word in name.split())
    if name[-1].isalnum() or name[-1] == "_":
        body += r"(?![\w])"
    return re.compile(body)


@lru_cache(maxsize=256)
def _index(names: frozenset[str]) -> _Index:
    return _Index(names)


def _literal(text: str, pos: int) -> tuple[str, str, int] | None:
    """The string, ``@"..."`` literal, number, ``instance of`` or plain name at ``pos``, as
    (token type, value, end), or None."""
    ch = text[pos]
    if ch == '"' or (ch == "@" and text.startswith('"', pos + 1)):
        m = _STRING.match(text, pos if ch == '"' else pos + 1)
        if not m:
            line, column = _position(text, pos)
            raise FeelSyntaxError("unterminated string", text=text, line=line, column=column)
        return ("STRING" if ch == '"' else "AT_STRING"), _unescape(m.group()[1:-1]), m.end()
    m = _NUMBER.match(text, pos)
    if m:
        return "NUMBER", m.group(), m.end()
    m = _INSTANCE_OF.match(text, pos)
    if m:
        return "INSTANCEOF", "instance of", m.end()
    m = _NAME.match(text, pos)
    if m:
        word = m.group()
        return KEYWORDS.get(word, "NAME"), word, m.end()
    return None


def _bracket_kind(text: str, pos: int, kind: str, tokens: list[Token]) -> str:
    """Square brackets read by what stands before them: ``]`` after no operand opens a range
    (``]1..2]``), ``[`` after an operand that a closing bracket follows closes one."""
    if kind == "RSQB" and (not tokens or tokens[-1].type not in _OPERAND_END | {"LSQB"}):
        return "RSQB_OPEN"
    if (
        kind == "LSQB"
        and tokens
        and tokens[-1].type in _OPERAND_END
        and _CLOSING_FOLLOWS.match(text, pos + 1)
    ):
        return "LSQB_CLOSE"
    return kind


def _nest(stack: list[str], kind: str, sym: str, text: str, pos: int) -> None:
    """Track the open brackets; too deep a nesting is refused."""
    if kind in ("LPAR", "LSQB", "LBRACE", "RSQB_OPEN"):
        stack.append(sym)
        if len(stack) > MAX_NESTING:
            line, column = _position(text, pos)
            raise FeelSyntaxError(
                "expression nested too deeply", text=text, line=line, column=column
            )
    elif kind in ("RPAR", "RSQB", "RBRACE", "LSQB_CLOSE") and stack:
        stack.pop()


def tokenize(text: str, known: frozenset[str] = frozenset()) -> list[Token]:
    """Split FEEL text into tokens; raises FeelSyntaxError on an unknown character."""
    if len(text) > MAX_TEXT_LENGTH:
        raise FeelSyntaxError("expression too long", text=text[:80], line=1, column=1)
    # Keys of literal contexts are names in scope for the entries after them.
    keys = special_names(" ".join(m.group(1).split()) for m in _KEY_SCAN.finditer(text))
    index = _index(known | keys if keys else known)
    tokens: list[Token] = []
    stack: list[str] = []
    pos = 0
    end = len(text)

    def emit(kind: str, value: str, start: int, stop: int) -> None:
        line, column = _position(text, start)
        tokens.append(Token(kind, value, start, line, column, None, None, stop))

    while pos < end:
        m = _WS.match(text, pos)
        if m:
            pos = m.end()
            continue
        ch = text[pos]
        if stack and stack[-1] == "{" and tokens and tokens[-1].type in ("LBRACE", "COMMA"):
            m = _CONTEXT_KEY.match(text, pos)
            if m:
                emit("NAME", " ".join(m.group(1).split()), pos, m.end(1))
                pos = m.end(1)
                continue
        for pattern, name in index.by_first.get(ch, ()):
            m = pattern.match(text, pos)
            if m:
                emit("NAME", name, pos, m.end())
                pos = m.end()
                break
        else:
            literal = _literal(text, pos)
            if literal is not None:
                kind, value, stop = literal
                emit(kind, value, pos, stop)
                pos = stop
                continue
            for sym, punct in _PUNCT:
                if text.startswith(sym, pos):
                    kind = _bracket_kind(text, pos, punct, tokens)
                    _nest(stack, kind, sym, text, pos)
                    emit(kind, sym, pos, pos + len(sym))
                    pos += len(sym)
                    break
            else:
                line, column = _position(text, pos)
                raise FeelSyntaxError(
                    f"unexpected character {ch!r}", text=text, line=line, column=column
                )
    return tokens
