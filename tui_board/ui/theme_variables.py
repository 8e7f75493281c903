"""The app's own theme variables and their defaults, which any theme may override in its
`[variables]` table (see docs/themes.md).

Each default is worked out from the theme's own colours (its generated `$text-error`,
`$primary-muted`, ...), so a theme that sets none of them still looks whole.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["APP_VARIABLES", "app_variable_defaults", "resolve_auto_colours"]

#: Each app variable and the generated theme variable its default is (a value ending in
#: a percentage is that colour at that opacity).
APP_VARIABLES: dict[str, str] = {
    "band-low-foreground": "text-primary",
    "band-low-background": "primary-muted",
    "band-ok-foreground": "text-success",
    "band-ok-background": "success-muted",
    "band-high-foreground": "text-warning",
    "band-high-background": "warning-muted",
    "band-over-foreground": "text-error",
    "band-over-background": "error-muted",
    "column-accent": "primary 40%",
    "card-cursor-background": "primary 30%",
    "card-cursor-key": "text-primary",
    "overdue": "text-error",
    "today": "text-accent",
    "timer": "text-success",
}


def app_variable_defaults(generated: Mapping[str, str]) -> dict[str, str]:
    """The app's variables for a theme whose generated variables are `generated`."""
    defaults = {}
    for name, source in APP_VARIABLES.items():
        base, _, opacity = source.partition(" ")
        defaults[name] = f"{generated[base]} {opacity}".strip()
    return defaults


def resolve_auto_colours(variables: Mapping[str, str]) -> dict[str, str]:
    """The variables with each `auto N%` made the text colour that contrasts with
    `$background` at that opacity (`#000000 60%` on a light theme)."""
    from textual.color import Color

    background = Color.parse(variables.get("background", "#000000"))
    if background.ansi is not None:  # the terminal's own colours: its own contrast
        return dict(variables)
    resolved = dict(variables)
    for name, value in variables.items():
        head, _, alpha = value.partition(" ")
        if head != "auto":
            continue
        opacity = float(alpha.rstrip("%")) if alpha else 100.0
        ink = background.get_contrast_text(1.0)
        resolved[name] = f"{ink.hex} {opacity:g}%"
    return resolved
