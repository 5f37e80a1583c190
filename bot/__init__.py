"""Dianxiaoer (店小二) Rasa project: custom NLU components live in `bot.components`."""
