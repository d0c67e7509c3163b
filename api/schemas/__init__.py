"""marshmallow schemas: request bodies load into commands, resources dump from aggregates."""
