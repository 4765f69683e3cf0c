"""Stage 3, store: where queries run. Backends (web side: what the dataset is, how a query process
reaches it), executors (inside a query process: run one query), the pool of killable query
processes, and the sandbox that takes their network away."""
