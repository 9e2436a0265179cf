"""The resident's report: the conversation, its questions, location, severity, committing the ticket."""
