"""Models over plain records and arrays: value prediction, churn, market basket (no Cypher).

A leaf package: it imports nothing of ours, so ``resolvers/``, ``loaders/`` and ``hub/``
can use it and it can be tested on public data sets without a graph.
"""
