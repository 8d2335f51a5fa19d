"""Portals: subscriber self-care and the partner portal for retailers and installers."""
