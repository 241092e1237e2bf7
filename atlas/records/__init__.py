"""Stage 1-2: the records. The model, ids, YAML and BibTeX readers, loading, validation, stable addresses."""
