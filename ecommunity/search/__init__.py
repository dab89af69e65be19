"""Full-text search. Every use of Whoosh stays in `engine.py`."""
