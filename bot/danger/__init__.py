"""The first answer: recognising danger in a resident's words, and the card that answers it."""
