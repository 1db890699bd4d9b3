"""One incident's live session, Textual-free: the CLI and the console both go through it."""
