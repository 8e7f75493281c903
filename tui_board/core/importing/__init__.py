"""Moving time in from other tools: reading their files (`formats`) and mapping their
rows to this board's people, projects and tasks (`mapping`). Pure functions: the CLI
reads a file and the board's lists, and sends the rows to `Backend.import_rows`."""
