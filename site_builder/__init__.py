"""site_builder: turns the reviewed catalog into the local-LLM hardware reference site."""

__version__ = "0.1.0"
