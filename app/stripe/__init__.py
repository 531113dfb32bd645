"""The Qt-free Stripe layer: key handling, input checks, the async API client and its errors."""

from app.stripe.client import DEFAULT_API_BASE, DEFAULT_STRIPE_VERSION, StripeClient
from app.stripe.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    IdempotencyError,
    InvalidRequestError,
    LinkdeskError,
    PermissionDeniedError,
    RateLimitError,
    StripeError,
    ValidationError,
)
from app.stripe.explain import explain
from app.stripe.keys import ApiKey
from app.stripe.models import (
    COLLECTION_FIELDS,
    FUTURE_REQUIREMENTS,
    LINK_TYPES,
    Account,
    AccountLink,
    AccountList,
    Controller,
    Requirements,
    RequirementError,
)
from app.stripe.validation import LinkRequest, normalize_account_id, validate_url

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "Account",
    "AccountLink",
    "AccountList",
    "ApiKey",
    "AuthenticationError",
    "COLLECTION_FIELDS",
    "Controller",
    "DEFAULT_API_BASE",
    "DEFAULT_STRIPE_VERSION",
    "FUTURE_REQUIREMENTS",
    "IdempotencyError",
    "InvalidRequestError",
    "LINK_TYPES",
    "LinkRequest",
    "LinkdeskError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequirementError",
    "Requirements",
    "StripeClient",
    "StripeError",
    "ValidationError",
    "explain",
    "normalize_account_id",
    "validate_url",
]
