"""Comms: templates rendered with live values, channels (SMTP, webhooks, the comms log), and
what goes out when. Headless: never imports textual. The outbox itself is in the journal
(engine/outbox.py folds it); clock/delivery.py delivers it."""
