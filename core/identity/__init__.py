"""Identity and access (身份与权限): persons, accounts, API clients, roles, grants, posts, personal data, audit."""
