"""Locked mode: a service account owns the run files and is their only writer.

`cutover service` (server.py) listens on a Unix socket, knows each caller by the socket's peer
credentials (SO_PEERCRED: the kernel's word for the caller's uid, not anything the caller says),
checks and appends exactly as the shared-file journal does, conducts every open run, and lets
anyone who may connect follow. `cutover do/status/run/follow` reach it through client.py, a
journal-like object with the interface the war room and the CLI already use.
"""
