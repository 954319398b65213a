"""Developer tools that live beside the library (not installed as part of ``rag``)."""
