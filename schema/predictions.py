"""Predictions and patterns for data teams (docs/predictions.md): the market basket's
fields (schema/basket.py), composed into one class for schema/__init__.py."""

import strawberry

from schema.basket import BasketQueries


@strawberry.type
class PredictionQueries(BasketQueries):
    pass
