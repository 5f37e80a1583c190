"""Column names and defaults shared by the ranking models and their evaluation."""

from __future__ import annotations

COL_USER = "user_id"
COL_ITEM = "item_id"
COL_WEIGHT = "weight"
COL_TIMESTAMP = "timestamp"

#: Users scored per dense block in ``recommend`` (bounds memory on large catalogs).
SCORE_CHUNK_ROWS = 1024
#: Seed used when a model's ``random_state`` is None is not fixed; models default to this.
DEFAULT_SEED = 42
#: Default cut-off of the ranking metrics.
DEFAULT_K = 10
