"""Who may read and change what: accounts, roles, tokens and the audit log (`accounts`), the background ingest
queue (`jobs`). The store enforces the collections (`pipeline.store.scope`); this package says whose they are."""
