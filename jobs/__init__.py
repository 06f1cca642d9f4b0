"""Background jobs for both apps: the abstract Job row, dispatch by task name on commit, the one
lifecycle every job kind runs through (claim, heartbeat, take-over, conditional end), the sweeper,
the workers' heartbeats per queue and the job-status payload. This app imports neither the coding
nor the analysis app, nor `config`: they plug into it (docs/architecture.md, "Jobs")."""
