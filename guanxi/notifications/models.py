"""In-app and e-mail notifications with per-user choices."""
