"""SQL storage: engine factory, typed models and query helpers."""
