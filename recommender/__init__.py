"""Dianxiaoer (店小二) recommender service: catalog, interactions, ranking and HTTP API."""

__version__ = "0.1.0"
