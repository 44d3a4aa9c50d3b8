"""A formula's LaTeX as plain HTML (italic symbols, sub- and superscripts): no MathJax needed.

Formulas use a small part of LaTeX (``c_{in}``, ``\\cdot``, ``\\mathit{...}``,
``\\text{...}``, ``\\sum``); anything else is shown as its command name, so the
output is always readable and always escaped.
"""

from __future__ import annotations

import html

_SYMBOLS = {
    "cdot": "·",
    "times": "×",
    "sum": "Σ",
    "prod": "Π",
    "ldots": "…",
    "dots": "…",
    "cdots": "⋯",
    "neq": "≠",
    "le": "≤",
    "ge": "≥",
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "sigma": "σ",
    "mu": "μ",
}
_SPACES = {",": "\u2009", ";": " ", ":": " ", " ": " ", "!": "", "quad": "\u2003"}
_PLAIN = ("text", "mathrm", "textrm", "operatorname", "mathsf", "texttt")
_ITALIC = ("mathit", "textit")


def latex_to_html(latex: str) -> str:
    """``(k_h \\cdot c_{in} + 1)`` as ``(<i>k</i><sub><i>h</i></sub> · ...)``."""
    return _Parser(latex).run()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def run(self, until: str | None = None) -> str:
        out: list[str] = []
        while self.at < len(self.text):
            char = self.text[self.at]
            if until is not None and char == until:
                self.at += 1
                break
            self.at += 1
            if char == "\\":
                out.append(self._command())
            elif char == "{":
                out.append(self.run("}"))
            elif char in "_^":
                tag = "sub" if char == "_" else "sup"
                out.append(f"<{tag}>{self._argument()}</{tag}>")
            elif char.isalpha():
                start = self.at - 1
                while self.at < len(self.text) and self.text[self.at].isalpha():
                    self.at += 1
                out.append(f"<i>{html.escape(self.text[start : self.at])}</i>")
            elif char == " ":
                if out and not out[-1].endswith(" "):
                    out.append(" ")
            else:
                out.append(html.escape(char))
        return "".join(out)

    def _argument(self) -> str:
        """One group ``{...}``, one command or one character."""
        if self.at >= len(self.text):
            return ""
        char = self.text[self.at]
        self.at += 1
        if char == "{":
            return self.run("}")
        if char == "\\":
            return self._command()
        return f"<i>{html.escape(char)}</i>" if char.isalpha() else html.escape(char)

    def _raw_group(self) -> str:
        """The text of a ``{...}`` group, unparsed but for escaped characters (``input\\_dim``)."""
        if self.at < len(self.text) and self.text[self.at] == "{":
            depth, chars = 0, []
            while self.at < len(self.text):
                char = self.text[self.at]
                self.at += 1
                if char == "\\" and self.at < len(self.text):  # \_ \{ \}: the character itself
                    chars.append(self.text[self.at])
                    self.at += 1
                    continue
                depth += {"{": 1, "}": -1}.get(char, 0)
                if depth == 0:
                    break
                chars.append(char)
            return html.escape("".join(chars[1:]))
        return self._argument()

    def _command(self) -> str:
        start = self.at
        while self.at < len(self.text) and self.text[self.at].isalpha():
            self.at += 1
        name = self.text[start : self.at]
        if not name:  # \, \; \{ and friends
            char = self.text[self.at : self.at + 1]
            self.at += 1
            return _SPACES.get(char, html.escape(char))
        if name in _PLAIN:
            return self._raw_group()
        if name in _ITALIC:
            return f"<i>{self._raw_group()}</i>"
        if name == "frac":
            top, bottom = self._argument(), self._argument()
            return f"({top})/({bottom})"
        if name in _SPACES:
            return _SPACES[name]
        return _SYMBOLS.get(name, html.escape(name))
