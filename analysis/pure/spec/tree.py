"""The parsed formula (pure, no Django): what analysis/pure/spec/grammar.py builds from a
formula's text and what the estimators read. Rendering it gives the canonical text that pyfixest
receives, never the user's own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    """One node of a term. kind: column (text: its name), number, intercept (text "0", "1" or
    "-1"), paren, negative, binary (text: the operator), call (text: the function's canonical
    spelling; ref: i()'s reference level, rendered) or interaction (a:b). Parentheses the user
    wrote stay as paren nodes and the tree follows Python's precedence, so rendering needs no
    precedence rules of its own."""

    kind: str
    text: str = ""
    children: tuple[Node, ...] = ()
    ref: str | None = None

    def render(self) -> str:
        parts = [child.render() for child in self.children]
        if self.kind == "paren":
            return f"({parts[0]})"
        if self.kind == "negative":
            return f"-{parts[0]}"
        if self.kind == "binary":
            return f"{parts[0]} {self.text} {parts[1]}"
        if self.kind == "interaction":
            return ":".join(parts)
        if self.kind == "call":
            return f"{self.text}({', '.join(parts + ([f'ref={self.ref}'] if self.ref is not None else []))})"
        return self.text  # column, number, intercept

    def columns(self) -> set[str]:
        own = {self.text} if self.kind == "column" else set()
        return own.union(*(child.columns() for child in self.children))


@dataclass(frozen=True)
class Formula:
    dependent: Node
    regressors: tuple[Node, ...]
    fixed: tuple[tuple[str, ...], ...]  # ("exporter", "year") is exporter^year
    iv: tuple[Node, tuple[Node, ...]] | None  # (endogenous, instruments) or None

    def render(self, fixed_names: Sequence[str] | None = None) -> str:
        """The formula text; `fixed_names` replaces the fixed-effect terms (encoded columns)."""
        regressors = ""
        for index, term in enumerate(self.regressors):
            text = term.render()
            regressors += text if index == 0 else (" - 1" if text == "-1" else f" + {text}")
        parts = [f"{self.dependent.render()} ~ {regressors}"]
        fixed = fixed_names if fixed_names is not None else ["^".join(fe) for fe in self.fixed]
        if fixed:
            parts.append(" + ".join(fixed))
        if self.iv:
            endogenous, instruments = self.iv
            parts.append(f"{endogenous.render()} ~ {' + '.join(t.render() for t in instruments)}")
        return " | ".join(parts)

    @property
    def canonical(self) -> str:
        return self.render()

    @property
    def fixed_names(self) -> list[str]:
        """The fixed effects as fixest writes them: "exporter^year"."""
        return ["^".join(fe) for fe in self.fixed]

    def columns(self) -> set[str]:
        found = self.dependent.columns().union(*(t.columns() for t in self.regressors))
        found |= {name for fe in self.fixed for name in fe}
        if self.iv:
            found |= self.iv[0].columns().union(*(t.columns() for t in self.iv[1]))
        return found
