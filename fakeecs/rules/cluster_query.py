"""ECS's cluster query language: parse an expression once, then test container instances with it.

Used by ListContainerInstances' `filter` and by `memberOf` placement constraints.
Grammar (as the ECS developer guide gives it): `subject operator [argument]`,
combined with `and`/`&&`, `or`/`||`, `not`/`!` and parentheses. Subjects:
`attribute:NAME`, `ec2InstanceId`, `registeredAt`, `runningTasksCount`,
`agentConnected`, `agentVersion`, `task:group`. Pure: nothing here reads state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fakeecs import errors

MAX_LENGTH = 2000

#: Operator spellings -> canonical name.
OPERATORS = {
    "==": "eq",
    "equals": "eq",
    "!=": "ne",
    "not_equals": "ne",
    ">": "gt",
    "greater_than": "gt",
    ">=": "ge",
    "greater_than_equal": "ge",
    "<": "lt",
    "less_than": "lt",
    "<=": "le",
    "less_than_equal": "le",
    "exists": "exists",
    "!exists": "not_exists",
    "not_exists": "not_exists",
    "in": "in",
    "!in": "not_in",
    "not_in": "not_in",
    "=~": "matches",
    "matches": "matches",
    "!~": "not_matches",
    "not_matches": "not_matches",
}
_SYMBOL_OPS = sorted((op for op in OPERATORS if not op[0].isalpha()), key=len, reverse=True)
_FIXED_SUBJECTS = (
    "ec2InstanceId",
    "registeredAt",
    "runningTasksCount",
    "agentConnected",
    "agentVersion",
    "task:group",
)
_DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


@dataclass
class InstanceFacts:
    """What a query can ask about one container instance."""

    ec2_instance_id: str
    registered_at: float
    running_tasks: int
    agent_connected: bool
    agent_version: str
    attributes: Mapping[str, str | None]
    #: Groups of the instance's tasks that are not stopping (for `task:group`).
    groups: list[str] = field(default_factory=list)


Query = Callable[[InstanceFacts], bool]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    # lexing ---------------------------------------------------------------

    def fail(self, what: str) -> errors.ECSError:
        return errors.invalid_parameter(
            f"Invalid cluster query expression {self.text!r}: {what} at position {self.pos}. "
            "Use 'subject operator argument' (e.g. attribute:ecs.instance-type == t3.large), "
            "joined with and/or/not."
        )

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek_word(self) -> str:
        self.skip()
        match = re.compile(r"[A-Za-z_]+").match(self.text, self.pos)
        return match.group(0) if match else ""

    def take(self, literal: str) -> bool:
        self.skip()
        if self.text.startswith(literal, self.pos):
            self.pos += len(literal)
            return True
        return False

    def keyword(self, *words: str) -> bool:
        """Consume one of `words` when it stands alone (not the start of a longer word)."""
        self.skip()
        for word in words:
            end = self.pos + len(word)
            if self.text.startswith(word, self.pos) and (
                end >= len(self.text) or not (self.text[end].isalnum() or self.text[end] in "_:.")
            ):
                self.pos = end
                return True
        return False

    def word(self, stop: str = "()[],") -> str:
        self.skip()
        if self.pos < len(self.text) and self.text[self.pos] in "'\"":
            quote = self.text[self.pos]
            end = self.text.find(quote, self.pos + 1)
            if end < 0:
                raise self.fail("unterminated quoted value")
            value = self.text[self.pos + 1 : end]
            self.pos = end + 1
            return value
        start = self.pos
        while (
            self.pos < len(self.text)
            and not self.text[self.pos].isspace()
            and self.text[self.pos] not in stop
        ):
            self.pos += 1
        return self.text[start : self.pos]

    # grammar --------------------------------------------------------------

    def parse(self) -> Query:
        query = self.disjunction()
        self.skip()
        if self.pos != len(self.text):
            raise self.fail(f"unexpected {self.text[self.pos :][:20]!r}")
        return query

    def disjunction(self) -> Query:
        parts = [self.conjunction()]
        while self.take("||") or self.keyword("or"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda f: any(p(f) for p in parts))

    def conjunction(self) -> Query:
        parts = [self.negation()]
        while self.take("&&") or self.keyword("and"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else (lambda f: all(p(f) for p in parts))

    def negation(self) -> Query:
        self.skip()
        if self.keyword("not") or (
            self.text.startswith("!", self.pos) and not self.text.startswith("!=", self.pos)
        ):
            if self.text.startswith("!", self.pos):
                self.pos += 1
            inner = self.negation()
            return lambda f: not inner(f)
        if self.take("("):
            inner = self.disjunction()
            if not self.take(")"):
                raise self.fail("missing ')'")
            return inner
        return self.comparison()

    def subject(self) -> str:
        self.skip()
        for fixed in _FIXED_SUBJECTS:
            if self.keyword(fixed):
                return fixed
        if self.text.startswith("attribute:", self.pos):
            self.pos += len("attribute:")
            name = self.word(stop="()[],=!<>~")
            if not name:
                raise self.fail("attribute name missing after 'attribute:'")
            return f"attribute:{name}"
        raise self.fail("expected a subject (attribute:NAME, ec2InstanceId, task:group, ...)")

    def operator(self) -> str:
        self.skip()
        for symbol in _SYMBOL_OPS:
            if self.text.startswith(symbol, self.pos):
                after = self.pos + len(symbol)
                if symbol[-1].isalpha() and after < len(self.text) and self.text[after].isalnum():
                    continue
                self.pos = after
                return OPERATORS[symbol]
        word = self.peek_word()
        if word in OPERATORS:
            self.pos += len(word)
            return OPERATORS[word]
        raise self.fail("expected an operator (==, !=, in, not_in, exists, =~, ...)")

    def argument(self, op: str) -> Any:
        if op in ("exists", "not_exists"):
            return None
        if op in ("in", "not_in"):
            if not self.take("["):
                raise self.fail(f"'{op}' needs a list such as [a, b]")
            items = []
            while not self.take("]"):
                if items and not self.take(","):
                    raise self.fail("expected ',' or ']' in the list")
                value = self.word()
                if not value:
                    raise self.fail("empty value in the list")
                items.append(value)
            return items
        if op in ("matches", "not_matches"):
            value = self.word(stop="")
            while value.endswith(")") and value.count(")") > value.count("("):
                value = value[:-1]
                self.pos -= 1
            try:
                return re.compile(value)
            except re.error as exc:
                raise self.fail(f"invalid pattern {value!r} ({exc})") from None
        value = self.word()
        if not value:
            raise self.fail("argument missing")
        return value

    def comparison(self) -> Query:
        subject = self.subject()
        op = self.operator()
        arg = self.argument(op)
        if subject == "registeredAt" and op not in ("exists", "not_exists"):
            arg = [_date(self, a) for a in arg] if isinstance(arg, list) else _maybe_date(self, arg)
        return _test(subject, op, arg)


def _date(parser: _Parser, value: str) -> float:
    text = value.replace("Z", "+00:00")
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()
    raise parser.fail(f"{value!r} is not a date (use 2018-06-18T22:28:28Z or 2018-06-18)")


def _maybe_date(parser: _Parser, value: Any) -> Any:
    return value if isinstance(value, re.Pattern) else _date(parser, value)


def _values(subject: str, facts: InstanceFacts) -> list[Any] | None:
    """The subject's values on this instance; None when it does not exist there."""
    if subject.startswith("attribute:"):
        name = subject.split(":", 1)[1]
        if name not in facts.attributes:
            return None
        value = facts.attributes[name]
        return [value if value is not None else ""]
    if subject == "task:group":
        return list(facts.groups) or None
    return [
        {
            "ec2InstanceId": facts.ec2_instance_id,
            "registeredAt": facts.registered_at,
            "runningTasksCount": facts.running_tasks,
            "agentConnected": "true" if facts.agent_connected else "false",
            "agentVersion": facts.agent_version,
        }[subject]
    ]


def _order_key(value: Any) -> Any:
    """Numbers compare as numbers, versions (1.14.5) part by part, the rest as text."""
    if isinstance(value, bool):
        return (2, str(value).lower())
    if isinstance(value, int):
        return (1, (value,))
    if isinstance(value, float):
        return (0, value)
    text = str(value)
    if re.fullmatch(r"\d+(\.\d+)*", text):
        return (1, tuple(int(p) for p in text.split(".")))
    return (2, text)


def _compare(op: str, value: Any, arg: Any) -> bool:
    if op == "eq":
        return _order_key(value) == _order_key(arg)
    if op == "in":
        return any(_order_key(value) == _order_key(a) for a in arg)
    if op == "matches":
        return arg.fullmatch(str(value)) is not None
    left, right = _order_key(value), _order_key(arg)
    if left[0] != right[0]:
        left, right = (2, str(value)), (2, str(arg))
    return {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[op]


_NEGATED = {"ne": "eq", "not_in": "in", "not_matches": "matches", "not_exists": "exists"}


def _test(subject: str, op: str, arg: Any) -> Query:
    if op in _NEGATED:
        positive = _test(subject, _NEGATED[op], arg)
        return lambda facts: not positive(facts)

    def check(facts: InstanceFacts) -> bool:
        values = _values(subject, facts)
        if values is None:
            return False
        if op == "exists":
            return True
        return any(_compare(op, v, arg) for v in values)

    return check


def parse(expression: str) -> Query:
    """The query an expression means, or InvalidParameterException naming what is wrong."""
    if len(expression) > MAX_LENGTH:
        raise errors.invalid_parameter(
            f"A cluster query expression can be at most {MAX_LENGTH} characters."
        )
    if not expression.strip():
        raise errors.invalid_parameter("A cluster query expression cannot be empty.")
    return _Parser(expression).parse()
