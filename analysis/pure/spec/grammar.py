"""Our own grammar for fixest formulas (pure, no Django): a tokenizer and a recursive-descent parser, no eval.

Why: pyfixest hands every term to formulaic, which evaluates it as Python in a namespace that
holds the data, numpy and the caller's frame. A user's formula is therefore code; checking only
its first parts with a regex let `ln_dist ~ I(__import__('os').system(...))` in the IV part run
a shell command on the worker. Here the WHOLE formula is parsed into a small tree (tree.py), anything
outside the grammar is refused with the offending token and its 1-based position, and the
formula given to pyfixest is re-rendered from the tree, never the user's text.

Grammar (a formula has at most three `|` parts, as in fixest):

    formula     := value '~' regressors ['|' (fixed | iv)] ['|' iv]      (iv last, once)
    regressors  := ['-'] term (('+' | '-') term)*        '-' only before the intercept 1
    term        := '0' | '1' | factor (':' factor)*      0/1/-1 switch the intercept off/on
    factor      := column | math '(' arith ')' | 'I(' arith ')' | 'C(' column ')'
                 | 'i(' column [',' column] [',' 'ref' '=' literal] ')'
    value       := column | math '(' arith ')' | 'I(' arith ')'     (dependent, endogenous)
    fixed       := column ('^' column)* ('+' column ('^' column)*)*
    iv          := value '~' factor-term ('+' factor-term)*          (one endogenous variable)
    arith       := Python-like + - * / ** and parentheses over columns, numbers and math calls
    math        := log | np.log | log1p | np.log1p | exp | np.exp   (log1p is fitted as np.log1p)
    literal     := ['-'] number | 'string' of letters, digits, space, '_', '.', '-'

Pure: the standard library only (no Django, pandas or numpy).
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn, TypeVar

from ..errors import SpecError  # the grammar's error; callers also import it from here
from .tree import Formula, Node

Item = TypeVar("Item")

MAX_LENGTH = 1000
MAX_TERMS = 100
MAX_PAREN_DEPTH = 16
MAX_EXPRESSION_DEPTH = 32
MAX_NAME = 200
MAX_STRING = 100
MATH = {"log": "log", "np.log": "np.log", "log1p": "np.log1p", "np.log1p": "np.log1p", "exp": "exp", "np.exp": "np.exp"}
FUNCTIONS = "log, np.log, log1p, np.log1p, exp, np.exp, I, C, i"
OPERATORS = ("**", "~", "|", "+", "-", "*", "/", "^", ":", "(", ")", ",", "=", ".")
STRING_CHARACTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.-")
# Token shapes, ASCII only: Python would read a fullwidth 'ｅｖａｌ' or the digit '٣' as eval and 3.  # noqa: RUF003 - the look-alikes are the point
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
RUN = re.compile(r"[A-Za-z0-9_.]*")


# --- tokens -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # name, number, string, op, end
    text: str
    position: int  # 1-based


def _fail(message: str) -> NoReturn:
    raise SpecError(f"formula: {message}")


def _show_character(character: str) -> str:
    shown = repr(character)
    return shown if character.isascii() else f"{shown} (U+{ord(character):04X})"


def tokenize(text: object) -> list[Token]:
    """Tokens of a formula. Refuses unknown characters, dunder names, Python keywords, malformed
    numbers, unclosed strings and parentheses that are unbalanced or nested too deep."""
    if not isinstance(text, str):
        raise SpecError(f"formula: expected a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        _fail(f"longer than {MAX_LENGTH} characters (got {len(text)})")
    tokens: list[Token] = []
    opened: list[int] = []
    index = 0
    while index < len(text):
        character, position = text[index], index + 1
        name, number = NAME.match(text, index), NUMBER.match(text, index)
        if character in " \t":
            index += 1
        elif name:
            word, index = name.group(), name.end()
            if word.startswith("__"):
                _fail(f"unexpected '{word}' at position {position} (names may not start with '__')")
            if keyword.iskeyword(word):
                _fail(f"unexpected '{word}' at position {position} (a Python keyword, not a column)")
            if len(word) > MAX_NAME:
                _fail(f"name '{word[:40]}...' at position {position} is longer than {MAX_NAME} characters")
            tokens.append(Token("name", word, position))
        elif number:  # a number running into letters, '_' or a second '.' (0x10, 1_000, 1.5.real)
            run = _run_end(text, number.end())
            if run > number.end():
                _fail(f"malformed number '{text[index:run]}' at position {position}")
            if math.isinf(float(number.group())):  # 1e999 is infinity in every term it enters
                _fail(f"number '{number.group()}' at position {position} is not finite")
            tokens.append(Token("number", number.group(), position))
            index = run
        elif character in "'\"":  # its content is checked only where a string may stand: ref=
            end = text.find(character, index + 1)
            if end < 0:
                _fail(f"the string starting at position {position} is not closed")
            tokens.append(Token("string", text[index : end + 1], position))
            index = end + 1
        else:
            operator = next((op for op in OPERATORS if text.startswith(op, index)), None)
            if operator is None:
                _fail(f"character {_show_character(character)} at position {position} is not allowed")
            if operator == "(":
                opened.append(position)
                if len(opened) > MAX_PAREN_DEPTH:
                    _fail(f"'(' at position {position} nests parentheses deeper than {MAX_PAREN_DEPTH} levels")
            elif operator == ")":
                if not opened:
                    _fail(f"unexpected ')' at position {position} (no '(' to close)")
                opened.pop()
            tokens.append(Token("op", operator, position))
            index += len(operator)
    if opened:
        _fail(f"'(' at position {opened[-1]} is never closed")
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


def _run_end(text: str, start: int) -> int:
    """Where a run of name characters from `start` ends (RUN matches the empty run too)."""
    found = RUN.match(text, start)
    return found.end() if found else start


# --- the parser -------------------------------------------------------------------------------


def parse(text: object) -> Formula:
    """The Formula tree of a fixest formula; SpecError naming the offending token otherwise."""
    formula = _Parser(tokenize(text)).formula()
    count = len(formula.regressors) + len(formula.fixed) + (len(formula.iv[1]) + 1 if formula.iv else 0)
    if count > MAX_TERMS:
        _fail(f"{count} terms, more than the {MAX_TERMS} allowed")
    return formula


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens, self.index, self.depth = tokens, 0, 0

    # helpers
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def at(self, *texts: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token.kind == "op" and token.text in texts

    def advance(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def unexpected(self, token: Token, hint: str = "") -> NoReturn:
        if token.kind == "end":
            _fail(f"unexpected end of formula at position {token.position}{hint}")
        if token.kind == "op" and token.text == "." and self.tokens[self.tokens.index(token) + 1].kind == "name":
            attribute = self.tokens[self.tokens.index(token) + 1].text
            _fail(f"attribute access '.{attribute}' at position {token.position} is not allowed")
        if token.kind == "string":
            shown = token.text if token.text.isprintable() and len(token.text) <= 200 else repr(token.text[:200])
            _fail(
                f"unexpected string {shown} at position {token.position} (quoted text is only allowed "
                "as i(column, ref='level'))"
            )
        _fail(f"unexpected '{token.text}' at position {token.position}{hint}")

    def expect(self, text: str, hint: str = "") -> Token:
        if not self.at(text):
            self.unexpected(self.peek(), hint or f" (expected '{text}')")
        return self.advance()

    def part_has_tilde(self) -> bool:
        rest = [token.text for token in self.tokens[self.index :] if token.kind == "op"] + ["|"]
        return "~" in rest[: rest.index("|")]

    def joined(self, item: Callable[[], Item], operator: str = "+") -> list[Item]:
        items = [item()]
        while self.at(operator):
            self.advance()
            items.append(item())
        return items

    # formula parts
    def formula(self) -> Formula:
        dependent = self.value("the dependent variable")
        if not self.at("~"):
            self.unexpected(self.peek(), " (the formula needs '~' after one dependent variable)")
        self.advance()
        regressors = self.regressors()
        fixed: list[tuple[str, ...]] = []
        iv: tuple[Node, tuple[Node, ...]] | None = None
        if self.at("|"):
            self.advance()
            if self.part_has_tilde():
                iv = self.iv()
            else:
                fixed = self.fixed()
                if self.at("|"):
                    self.advance()
                    iv = self.iv()
        if self.peek().kind != "end":
            self.unexpected(self.peek(), " (a formula is 'y ~ x | fixed effects | endogenous ~ instruments')")
        return Formula(dependent, tuple(regressors), tuple(fixed), iv)

    def regressors(self) -> list[Node]:
        terms = [self.regressor(self.advance() if self.at("-") else None)]
        while self.at("+", "-"):
            operator = self.advance()
            terms.append(self.regressor(operator if operator.text == "-" else None))
        if not self.at("|") and self.peek().kind != "end":
            self.unexpected(self.peek(), " (regressors are joined by '+'; a product is I(a * b) or a:b)")
        return terms

    def regressor(self, sign: Token | None) -> Node:
        token = self.peek()
        if token.kind == "number":
            if token.text == "1" or (token.text == "0" and sign is None):
                self.advance()
                return Node("intercept", "-1" if sign else token.text)
            _fail(f"unexpected '{token.text}' at position {token.position} (a number term can only be 0, 1 or -1)")
        if sign is not None:
            _fail(f"unexpected '-' at position {sign.position} (only '- 1', no intercept, can be subtracted)")
        return self.term()

    def term(self) -> Node:
        factors = self.joined(self.factor, ":")
        return factors[0] if len(factors) == 1 else Node("interaction", children=tuple(factors))

    def fixed(self) -> list[tuple[str, ...]]:
        terms = self.joined(lambda: tuple(self.joined(self.fixed_column, "^")))
        if not self.at("|") and self.peek().kind != "end":
            self.unexpected(self.peek(), " (fixed effects are columns or col1^col2 joined by '+')")
        return terms

    def fixed_column(self) -> str:
        token = self.peek()
        if token.kind == "name" and self.at("(", offset=1):
            _fail(
                f"function '{token.text}' at position {token.position} is not allowed in the fixed effects "
                "(use columns or col1^col2)"
            )
        if token.kind != "name":
            self.unexpected(token, " (expected a fixed-effect column)")
        return self.advance().text

    def iv(self) -> tuple[Node, tuple[Node, ...]]:
        endogenous = self.value("the endogenous variable")
        if self.at("+"):
            self.unexpected(self.peek(), " (pyfixest takes one endogenous variable)")
        self.expect("~", " (the IV part is 'endogenous ~ instruments')")
        instruments = self.joined(self.term)
        if self.peek().kind != "end":
            self.unexpected(self.peek(), " (the IV part is the last one; instruments are joined by '+')")
        return endogenous, tuple(instruments)

    # factors
    def value(self, what: str) -> Node:
        """The dependent or endogenous variable: a column, a math function or I()."""
        token = self.peek()
        node = self.factor()
        if node.kind == "call" and node.text in ("C", "i"):
            _fail(f"'{token.text}()' at position {token.position} cannot be {what}")
        return node

    def function_name(self) -> str | None:
        """A function name (np.log etc. joined), or None when the next token is no call."""
        token = self.peek()
        if token.kind != "name":
            return None
        if self.at(".", offset=1):
            attribute = self.peek(2)
            dotted = f"{token.text}.{attribute.text}" if attribute.kind == "name" else None
            if dotted in MATH and self.at("(", offset=3):
                return dotted
            _fail(
                f"attribute access '{dotted or token.text + '.'}' at position {token.position} is not allowed "
                "(only np.log, np.log1p and np.exp can be called)"
            )
        return token.text if self.at("(", offset=1) else None

    def factor(self) -> Node:
        token, name = self.peek(), self.function_name()
        if name is None:
            if token.kind != "name":
                self.unexpected(token, " (expected a column or a function call)")
            self.advance()
            node = Node("column", token.text)
        else:
            self.index += 3 if "." in name else 1
            self.expect("(")
            if name in MATH or name == "I":
                node = Node("call", MATH.get(name, name), (self.arithmetic(),))
            elif name == "C":
                node = Node("call", "C", (self.column("C()"),))
            elif name == "i":
                node = self.factor_interaction()
            else:
                _fail(f"function '{name}' at position {token.position} is not allowed (allowed: {FUNCTIONS})")
            self.expect(")", f" ({name}() ends here)")
        return node

    def column(self, where: str) -> Node:
        token = self.peek()
        if token.kind != "name" or self.at("(", ".", offset=1):
            self.unexpected(token, f" ({where} takes a column)")
        return Node("column", self.advance().text)

    def factor_interaction(self) -> Node:
        arguments = [self.column("i()")]
        ref: str | None = None
        while self.at(","):
            self.advance()
            token = self.peek()
            if token.kind == "name" and self.at("=", offset=1):
                if token.text != "ref" or ref is not None:
                    _fail(f"unexpected '{token.text}=' at position {token.position} (i() takes ref= once)")
                self.index += 2
                ref = self.literal()
            elif ref is None and len(arguments) == 1:
                arguments.append(self.column("i()"))
            else:
                self.unexpected(token, " (i() is i(column), i(column, column) and an optional ref=level)")
        return Node("call", "i", tuple(arguments), ref)

    def literal(self) -> str:
        token = self.advance()
        if token.kind == "string":
            content = token.text[1:-1]
            bad = next((i for i, character in enumerate(content) if character not in STRING_CHARACTERS), None)
            if bad is not None:
                _fail(
                    f"character {_show_character(content[bad])} at position {token.position + bad + 1} is not "
                    "allowed in a quoted level (letters, digits, space, '_', '.', '-')"
                )
            if len(content) > MAX_STRING:
                _fail(f"the level at position {token.position} is longer than {MAX_STRING} characters")
            return f"'{content}'"
        if token.kind == "op" and token.text == "-" and self.peek().kind == "number":
            return "-" + self.advance().text
        if token.kind == "number":
            return token.text
        self.unexpected(token, " (ref= takes a number or a quoted level)")

    # arithmetic inside I() and the math functions: Python's precedence, bounded depth
    def arithmetic(self) -> Node:
        self.enter()
        node = self.product()
        while self.at("+", "-"):
            node = Node("binary", self.advance().text, (node, self.product()))
        self.depth -= 1
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.at("*", "/"):
            node = Node("binary", self.advance().text, (node, self.unary()))
        return node

    def unary(self) -> Node:
        if self.at("-"):
            self.advance()
            self.enter()
            node = Node("negative", children=(self.unary(),))
            self.depth -= 1
            return node
        base = self.atom()
        if self.at("**"):
            self.advance()
            self.enter()
            base = Node("binary", "**", (base, self.unary()))
            self.depth -= 1
        return base

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_EXPRESSION_DEPTH:
            _fail(
                f"'{self.peek().text}' at position {self.peek().position} nests the expression deeper than "
                f"{MAX_EXPRESSION_DEPTH} levels"
            )

    def atom(self) -> Node:
        token = self.peek()
        if token.kind == "number":
            return Node("number", self.advance().text)
        if self.at("("):
            self.advance()
            node = Node("paren", children=(self.arithmetic(),))
            self.expect(")")
            return node
        name = self.function_name()
        if name is not None and name not in MATH:
            _fail(
                f"function '{name}' at position {token.position} is not allowed here (inside arithmetic: "
                "log, np.log, log1p, np.log1p, exp, np.exp)"
            )
        if name is None and token.kind != "name":
            self.unexpected(token, " (expected a column, a number or '(')")
        return self.factor()
