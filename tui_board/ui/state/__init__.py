"""What the screens hold between reads: models of a board and a week, no widgets."""
