"""tui-board: a keyboard-first team board for the terminal."""

__version__ = "0.1.0"
