"""Safety questions: the knowledge base and matching free text against it."""
