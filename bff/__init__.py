"""OneThing backend-for-frontend."""
