"""The app's own theme variables and their defaults, which any theme may override in its
`[variables]` table (see docs/themes.md).

Each default is worked out from the theme's own colours (its generated `$text-error`,
`$primary-muted`, ...), so a theme that sets none of them still looks whole.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["APP_VARIABLES", "app_variable_defaults"]

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
