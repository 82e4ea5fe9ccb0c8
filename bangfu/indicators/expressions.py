"""A tiny, safe arithmetic language for validation rules (no eval).

    expression := term (("+" | "-") term)*
    term       := factor (("*" | "/") factor)*
    factor     := number | indicator_code | "(" expression ")" | "-" factor

Indicator codes are lower-case snake_case names (``employed_poor``). A rule compares two
expressions with one of ``<= < >= > == !=``, or checks that the left one lies ``within`` a range
written ``low..high`` (``value within 0..100``). Pure module, no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

_TOKEN_RE = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([a-z_][a-z0-9_]*)|(.))")
OPERATORS = ("<=", "<", ">=", ">", "==", "!=", "within")


class ExpressionError(ValueError):
    """The text is not a well-formed expression."""


class NotApplicable(Exception):
    """An expression needs a value that is not there (or divides by zero): the rule is skipped."""


@dataclass(frozen=True)
class Node:
    op: str  # "num", "var", "neg", "+", "-", "*", "/"
    value: Decimal | str | None = None
    left: Node | None = None
    right: Node | None = None


def _tokens(text: str) -> list[tuple[str, str]]:
    result: list[tuple[str, str]] = []
    for number, name, other in _TOKEN_RE.findall(text):
        if number:
            result.append(("num", number))
        elif name:
            result.append(("var", name))
        elif other.strip():
            if other not in "+-*/()":
                raise ExpressionError(f"unexpected character {other!r} in {text!r}")
            result.append(("op", other))
    return result


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError(f"{self.text!r} ends too early")
        self.pos += 1
        return token

    def expression(self) -> Node:
        node = self.term()
        while (token := self.peek()) is not None and token in (("op", "+"), ("op", "-")):
            self.take()
            node = Node(token[1], left=node, right=self.term())
        return node

    def term(self) -> Node:
        node = self.factor()
        while (token := self.peek()) is not None and token in (("op", "*"), ("op", "/")):
            self.take()
            node = Node(token[1], left=node, right=self.factor())
        return node

    def factor(self) -> Node:
        kind, text = self.take()
        if kind == "num":
            return Node("num", Decimal(text))
        if kind == "var":
            return Node("var", text)
        if text == "-":
            return Node("neg", left=self.factor())
        if text == "(":
            node = self.expression()
            if self.take() != ("op", ")"):
                raise ExpressionError(f"missing ')' in {self.text!r}")
            return node
        raise ExpressionError(f"unexpected {text!r} in {self.text!r}")


def parse(text: str) -> Node:
    parser = _Parser(text)
    if not parser.tokens:
        raise ExpressionError("an expression cannot be empty")
    node = parser.expression()
    if parser.peek() is not None:
        raise ExpressionError(f"unexpected {parser.peek()[1]!r} in {text!r}")  # type: ignore[index]
    return node


def names(node: Node) -> set[str]:
    """The indicator codes an expression refers to."""
    if node.op == "var":
        return {str(node.value)}
    found: set[str] = set()
    for child in (node.left, node.right):
        if child is not None:
            found |= names(child)
    return found


def evaluate(node: Node, values: Mapping[str, Decimal]) -> Decimal:
    if node.op == "num":
        assert isinstance(node.value, Decimal)
        return node.value
    if node.op == "var":
        try:
            return values[str(node.value)]
        except KeyError:
            raise NotApplicable(str(node.value)) from None
    assert node.left is not None
    left = evaluate(node.left, values)
    if node.op == "neg":
        return -left
    assert node.right is not None
    right = evaluate(node.right, values)
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    try:
        return left / right
    except (DivisionByZero, InvalidOperation):
        raise NotApplicable("division by zero") from None


def parse_range(text: str) -> tuple[Decimal, Decimal]:
    """``"0..100"`` → (0, 100)."""
    match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*", text)
    if match is None:
        raise ExpressionError(f"{text!r} is not a range (write low..high)")
    low, high = Decimal(match[1]), Decimal(match[2])
    if high < low:
        raise ExpressionError(f"{text!r}: the range ends below its start")
    return low, high


@dataclass(frozen=True)
class Comparison:
    """A parsed rule: `left operator right`."""

    left: Node
    operator: str
    right: Node | tuple[Decimal, Decimal]

    @classmethod
    def parse(cls, left: str, operator: str, right: str) -> Comparison:
        if operator not in OPERATORS:
            raise ExpressionError(f"unknown operator {operator!r}")
        parsed_right: Node | tuple[Decimal, Decimal] = (
            parse_range(right) if operator == "within" else parse(right)
        )
        return cls(parse(left), operator, parsed_right)

    @property
    def names(self) -> set[str]:
        found = names(self.left)
        if isinstance(self.right, Node):
            found |= names(self.right)
        return found

    def holds(self, values: Mapping[str, Decimal]) -> tuple[bool, Decimal, Decimal | str]:
        """Whether the rule holds, with both sides' values (for the message).

        Raises NotApplicable when a value the rule needs is missing."""
        left = evaluate(self.left, values)
        if isinstance(self.right, tuple):
            low, high = self.right
            return low <= left <= high, left, f"{low}..{high}"
        right = evaluate(self.right, values)
        result = {
            "<=": left <= right,
            "<": left < right,
            ">=": left >= right,
            ">": left > right,
            "==": left == right,
            "!=": left != right,
        }[self.operator]
        return result, left, right
