"""Commands: imperative, frozen dataclasses built at the edge and handled by the application."""
