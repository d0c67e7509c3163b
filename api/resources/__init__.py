"""One blueprint per resource family."""
