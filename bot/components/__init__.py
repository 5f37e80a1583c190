"""Custom Rasa 3.6 graph components for the bilingual (zh + en) NLU pipeline.

Importing a module registers its component with `DefaultV1Recipe`; `config.yml`
refers to each component by its module path (e.g.
`bot.components.tokenizer.BilingualTokenizer`), so nothing is imported here.
"""
