"""Schemathesis hooks for tests/e2e/test_fuzz.py: every error answer must be an RFC 9457 problem document."""

from __future__ import annotations

from typing import Any

import schemathesis

PROBLEM_JSON = "application/problem+json"


@schemathesis.check
def errors_are_problem_json(ctx: Any, response: Any, case: Any) -> bool | None:
    """4xx and 5xx under /api/ are application/problem+json whose `status` is the HTTP status."""
    if response.status_code < 400 or "/api/" not in case.formatted_path:
        return None
    content_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    if content_type != PROBLEM_JSON:
        raise AssertionError(f"a {response.status_code} answered with {content_type or 'no Content-Type'}, "
                             f"not {PROBLEM_JSON}")
    body = response.json()
    if not isinstance(body, dict) or body.get("status") != response.status_code or not body.get("title"):
        raise AssertionError(f"the problem document does not carry status {response.status_code} and a title")
    return None
