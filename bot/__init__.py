"""Gas Hotline Bot."""
