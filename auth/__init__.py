"""Install (OAuth) on both platforms, embedded-admin sessions, staff roles, tenancy."""
