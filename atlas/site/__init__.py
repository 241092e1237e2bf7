"""Stage 4: the pages. Rendering, citing, BibTeX exports, reading lists; templates/ and assets/."""
