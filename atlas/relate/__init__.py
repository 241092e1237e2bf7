"""Related papers and challenge suggestions: TF-IDF and similarity."""
