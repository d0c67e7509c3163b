"""rules resources."""

from __future__ import annotations

from api.parser import Blueprint

blp = Blueprint("rules", __name__, url_prefix="/api/v1", description="rules")
