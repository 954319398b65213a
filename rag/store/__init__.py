"""The store's parts, one concern a module: errors, embeddings (via rag/embeddings.py), the lexical index, the
manifest and its codecs, Chroma, the ingest lock and source names; rag/index.py's ReportIndex keeps them in step."""
