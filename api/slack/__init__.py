"""The Slack bot: config (tokens per transport), render (Block Kit), store (deliveries, answers, votes on the
history engine), listeners (the Bolt app: events, /ask-report, buttons) and socket_mode (`rag slack`)."""
