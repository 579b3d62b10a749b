"""The shared server: the HTTP API (`api.create_api`), the live index it answers from (`service.LiveIndex`), the
per-token rate limit (`limits.RateLimit`) and `tracuu serve` (`run.serve`), which starts the app and the API
together."""
