"""The project's one error hierarchy.

Stages raise these; the edges map them in one place each: the API turns them into status codes
(`app.api.STATUS`), the CLI into a red message and an exit status. Every message is written for the
person who sent the request: it says what is wrong and never carries a traceback or a local path.
"""

from __future__ import annotations


class ExplainerError(Exception):
    """Base of every error the explainer reports to a client or a user."""


class QuestionError(ExplainerError, ValueError):
    """A question (or an article) that cannot be asked as it is: empty, too long, a bad filter."""


class IngestError(ExplainerError, ValueError):
    """A document that cannot be indexed: malformed, too large, of an unsupported type."""


class NotFoundError(ExplainerError, LookupError):
    """A document or other resource the client named does not exist."""


class IndexMissingError(ExplainerError, RuntimeError):
    """No usable index: the message says how to build one."""


class IndexBusyError(ExplainerError, RuntimeError):
    """Another writer held the index directory's lock for longer than the configured wait."""


class BackendError(ExplainerError, ValueError):
    """An unknown backend name (store, embedder): a configuration error."""


class AuthError(ExplainerError, PermissionError):
    """A wrong or missing API token."""


class DisabledError(ExplainerError, PermissionError):
    """A feature that this deployment has switched off (ingest without a token)."""
