"""FEEL parser: feeds our tokens to a lark LALR parser built from ``grammar.lark``.

Parsing and compiling are cached on the text (and the special names in scope), so a
decision table evaluated a million times parses each cell once.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from feeldmn.errors import FeelSyntaxError
from feeldmn.feel.interpreter import Compiled, Compiler
from feeldmn.feel.lexer import tokenize

_GRAMMAR = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
_PARSER = Lark(_GRAMMAR, parser="lalr", lexer="basic", start=["start", "unary_tests"])


def _describe(token: Token) -> str:
    if token.type == "$END":
        return "end of expression"
    return repr(str(token))


def parse_tree(text: str, known: frozenset[str], start: str) -> Tree[Token]:
    """Parse FEEL text into a lark tree; raises FeelSyntaxError with line and column."""
    tokens = tokenize(text, known)
    interactive = _PARSER.parse_interactive(start=start)
    try:
        for token in tokens:
            interactive.feed_token(token)
        tree: Tree[Token] = interactive.feed_eof()  # type: ignore[no-untyped-call]
    except UnexpectedToken as exc:
        token = exc.token
        if token.type == "$END":
            line = text.count("\n") + 1
            column = len(text) - (text.rfind("\n") + 1) + 1
            raise FeelSyntaxError(
                "unexpected end of expression", text=text, line=line, column=column
            ) from None
        raise FeelSyntaxError(
            f"unexpected {_describe(token)}",
            text=text,
            line=token.line or 1,
            column=token.column or 1,
        ) from None
    except (UnexpectedCharacters, UnexpectedEOF, UnexpectedInput) as exc:
        raise FeelSyntaxError(
            "unexpected input",
            text=text,
            line=getattr(exc, "line", 1) or 1,
            column=getattr(exc, "column", 1) or 1,
        ) from None
    return tree


def _compile(tree: Tree[Token], text: str) -> Compiled:
    try:
        return Compiler().compile(tree)
    except RecursionError:
        raise FeelSyntaxError("expression too complex", text=text, line=1, column=1) from None


@lru_cache(maxsize=8192)
def compile_expression(text: str, known: frozenset[str] = frozenset()) -> Compiled:
    """A FEEL expression compiled to a closure over a Scope."""
    return _compile(parse_tree(text, known, "start"), text)


@lru_cache(maxsize=8192)
def parse_unary_tests(text: str, known: frozenset[str] = frozenset()) -> Tree[Token]:
    return parse_tree(text, known, "unary_tests")


def compile_tree(tree: Tree[Token] | Any, text: str = "") -> Compiled:
    return _compile(tree, text)


_SCOPE_NODES = frozenset({"var", "function_def", "instance_of"})


@lru_cache(maxsize=8192)
def expression_is_constant(text: str, known: frozenset[str] = frozenset()) -> bool:
    """Whether an expression reads nothing from its scope: no names (not even built-in
    functions), no function definitions, no ``instance of`` (which resolves the model's
    item definitions). Its value is then the same on every evaluation."""
    tree = parse_tree(text, known, "start")
    return not any(sub.data in _SCOPE_NODES for sub in tree.iter_subtrees())


@lru_cache(maxsize=8192)
def expression_name(text: str, known: frozenset[str] = frozenset()) -> str | None:
    """The name when an expression is nothing but one name (``Customer Age``), else None."""
    tree = parse_tree(text, known, "start")
    node = tree.children[0] if len(tree.children) == 1 else None
    if isinstance(node, Tree) and node.data == "var":
        name = node.children[0]
        if isinstance(name, Tree):
            return " ".join(str(t) for t in name.children)
    return None
