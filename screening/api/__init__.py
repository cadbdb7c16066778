"""The JSON API under /api/v1: bearer tokens, contract-shaped errors, OpenAPI description."""
from screening.api.routes import bp

__all__ = ["bp"]
