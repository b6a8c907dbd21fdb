"""schemathesis hooks for scripts/external-checks.

schemathesis' own `not_a_server_error` counts every GraphQL error that has a
`path` as a server error unless its code is one of Apollo's or graphql-java's
(BAD_USER_INPUT, ...). casegraph answers refused input with its documented
codes instead (docs/security.md, STYLE.md): INVALID, FORBIDDEN, NOT_FOUND...
This check keeps schemathesis' judgement for everything else: a 5xx, a body
that is not JSON, or an error that is INTERNAL, UNAVAILABLE or carries no
code fails.
"""

import schemathesis

DOCUMENTED = frozenset(
    {
        "NOT_FOUND",
        "INVALID",
        "INVALID_TRANSITION",
        "CONFLICT",
        "UNAUTHENTICATED",
        "FORBIDDEN",
        # gqlgen's own codes for documents it refuses before any resolver runs
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
        "COMPLEXITY_LIMIT_EXCEEDED",
        # casegraph's own query limits (graph/limits.go)
        "DEPTH_LIMIT_EXCEEDED",
        "ALIAS_LIMIT_EXCEEDED",
        "FIELD_REPEAT_LIMIT_EXCEEDED",
    }
)


@schemathesis.check
def casegraph_no_internal_error(ctx, response, case):
    """No 5xx, and every GraphQL error carries a documented client-side code."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:300]}")
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"not JSON (HTTP {response.status_code}): {response.text[:300]}")
    if not isinstance(body, dict):
        raise AssertionError(f"not a JSON object: {response.text[:300]}")
    for err in body.get("errors") or []:
        code = (err.get("extensions") or {}).get("code") if isinstance(err, dict) else None
        if code not in DOCUMENTED:
            raise AssertionError(f"error with code {code!r}: {err}")
