"""Staff, residents and the links between chats and roles: invites, revocation, phone numbers."""
