"""Sign-in and language (auth), the user's own settings (me), and the admin
screens for users, teams and roles (admin)."""
