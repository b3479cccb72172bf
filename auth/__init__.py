"""Identity: OIDC relying party, sessions, roles, QR login. Never imports ``bff``."""
