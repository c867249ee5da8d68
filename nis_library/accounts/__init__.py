"""Sign-in and roles: accounts (made by `nis users`, never by sign-up), argon2 passwords, server-side
sessions in the state store, the permissions of every endpoint, and the signed-in account of a
request as a plain value (`accounts.current.current_account()`)."""
