"""Stage 5: the engine. Everything that knows MkDocs or its theme: the plugin, theme cache, search index, link check."""
