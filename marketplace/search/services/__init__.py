"""The search service: text normalisation, the two text back ends, the indexer, faceted queries."""
