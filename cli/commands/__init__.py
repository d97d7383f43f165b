"""One module a command: each defines a click command that parses, calls ``zkmargin.api`` and prints."""
